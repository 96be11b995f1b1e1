package dev.javelin.highlevel.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses a gzip stream (RFC 1952), one or more members back to back as gunzip reads them,
 * and refuses anything else after the last member. {@link java.util.zip.GZIPInputStream} ignores
 * bytes after a member that do not start another one, so a file with garbage appended (a broken
 * copy, two files glued together) read as if it were whole. Each member's CRC-32 and length are
 * checked; every problem is an {@link IOException} naming the source. The underlying stream is not
 * closed.
 *
 * <pre>{@code
 * InputStream body = new StrictGzipInputStream(Files.newInputStream(path), path.toString());
 * }</pre>
 */
final class StrictGzipInputStream extends InputStream {
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    private final InputStream in;
    private final String source;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private long memberBytes;
    private boolean done;

    /** Reads the first member's header at once, so a stream that is not gzip fails here. */
    StrictGzipInputStream(InputStream in, String source) throws IOException {
        this.in = in;
        this.source = source;
        readHeader();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (!done) {
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new IOException(source + ": corrupt gzip stream (" + e.getMessage() + ")", e);
            }
            if (n > 0) {
                crc.update(b, off, n);
                memberBytes += n;
                return n;
            }
            if (inflater.finished()) {
                endMember();
            } else if (inflater.needsInput()) {
                if (pos == limit && !fill()) throw new EOFException(source + ": truncated gzip stream");
                inflater.setInput(buf, pos, limit - pos);
                pos = limit;
            } else {
                throw new IOException(source + ": corrupt gzip stream (a preset dictionary, which gzip does not use)");
            }
        }
        return -1;
    }

    @Override
    public void close() {
        inflater.end();
    }

    private void readHeader() throws IOException {
        if (nextByte() != 0x1f || nextByte() != 0x8b) throw new IOException(source + ": not a gzip stream (bad magic number)");
        if (nextByte() != 8) throw new IOException(source + ": gzip member uses an unknown compression method (expected deflate)");
        int flags = nextByte();
        skip(6); // modification time, extra flags, operating system
        if ((flags & FEXTRA) != 0) skip(nextByte() | nextByte() << 8);
        if ((flags & FNAME) != 0) while (nextByte() != 0) { /* the original file name */ }
        if ((flags & FCOMMENT) != 0) while (nextByte() != 0) { /* a comment */ }
        if ((flags & FHCRC) != 0) skip(2);
        inflater.reset();
        crc.reset();
        memberBytes = 0;
    }

    /** Checks the member's trailer, then starts the next member, or ends at the end of the input, or refuses what follows. */
    private void endMember() throws IOException {
        pos = limit - inflater.getRemaining(); // the inflater's unread input is the trailer and what follows
        long storedCrc = nextByte() | nextByte() << 8 | nextByte() << 16 | (long) nextByte() << 24;
        long storedSize = nextByte() | nextByte() << 8 | nextByte() << 16 | (long) nextByte() << 24;
        if (storedCrc != crc.getValue()) {
            throw new IOException(source + ": gzip CRC-32 mismatch (the compressed data is damaged)");
        }
        if (storedSize != (memberBytes & 0xffffffffL)) {
            throw new IOException(source + ": gzip length mismatch (trailer says " + storedSize + " bytes, the data held "
                    + memberBytes + ")");
        }
        if (pos == limit && !fill()) {
            done = true;
            return;
        }
        if ((buf[pos] & 0xff) != 0x1f) {
            throw new IOException(source + ": bytes after the end of the gzip stream (a damaged or appended-to file)");
        }
        readHeader();
    }

    private int nextByte() throws IOException {
        if (pos == limit && !fill()) throw new EOFException(source + ": truncated gzip stream");
        return buf[pos++] & 0xff;
    }

    private void skip(int n) throws IOException {
        for (int i = 0; i < n; i++) nextByte();
    }

    /** Refills the buffer; false at the end of the input. */
    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) return false;
        pos = 0;
        limit = n;
        return true;
    }
}
