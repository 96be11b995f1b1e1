"""Writes highlevel/src/test/resources/safetensors/narrow.safetensors: tensors in the narrow element types
Hugging Face files hold (F16, BF16, I8, U8, I16, U16, U32), each with its value as PyTorch reads it in a wider
type beside it ("<name>.expected", F32 or I64), in the safetensors layout (8-byte little-endian header length,
JSON header padded with spaces to 8 bytes, the tensors' bytes back to back). Run once from the repository root
with /usr/bin/python3 (python3-torch); the file is committed.
"""
import json
import struct

import torch

torch.manual_seed(12)
values = torch.tensor([0.0, -0.0, 1.0, -2.5, 3.140625, 65504.0, 6.0e-8, -1.0e-3, 1.0e4, 0.1], dtype=torch.float32)
ints = torch.tensor([0, 1, -1, 127, -128, 255, 300, -300, 65535, 40000], dtype=torch.int64)
tensors = [
    ("f16", "F16", values.to(torch.float16).view(torch.int16).numpy().astype("<i2").tobytes(), values.to(torch.float16).float()),
    ("bf16", "BF16", values.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes(), values.to(torch.bfloat16).float()),
    ("i8", "I8", ints.to(torch.int8).numpy().astype("<i1").tobytes(), ints.to(torch.int8).long()),
    ("u8", "U8", ints.to(torch.uint8).numpy().astype("<u1").tobytes(), ints.to(torch.uint8).long()),
    ("i16", "I16", ints.to(torch.int16).numpy().astype("<i2").tobytes(), ints.to(torch.int16).long()),
    ("u16", "U16", (ints & 0xFFFF).numpy().astype("<u2").tobytes(), ints & 0xFFFF),
    ("u32", "U32", (ints & 0xFFFFFFFF).numpy().astype("<u4").tobytes(), ints & 0xFFFFFFFF),
]
header, blobs, offset = {}, [], 0
for name, code, raw, expected in tensors:
    shape = [2, 5]
    header[name] = {"dtype": code, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
    blobs.append(raw)
    offset += len(raw)
    wide = expected.reshape(shape)
    raw_e = wide.numpy().astype("<f4").tobytes() if wide.is_floating_point() else wide.numpy().astype("<i8").tobytes()
    header[name + ".expected"] = {"dtype": "F32" if wide.is_floating_point() else "I64", "shape": shape,
                                  "data_offsets": [offset, offset + len(raw_e)]}
    blobs.append(raw_e)
    offset += len(raw_e)
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * ((8 - len(text) % 8) % 8)
with open("highlevel/src/test/resources/safetensors/narrow.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    f.write(b"".join(blobs))
