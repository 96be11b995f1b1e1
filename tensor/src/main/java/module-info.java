/**
 * The tensor core: values, the primitive op set, the dispatch seam and the backend SPI.
 * Depends on the JDK only.
 */
module dev.javelin.tensor {
    exports dev.javelin.tensor;
    exports dev.javelin.tensor.spi;
    uses dev.javelin.tensor.spi.Backend;
    provides dev.javelin.tensor.spi.Backend with dev.javelin.tensor.reference.ReferenceBackend;
}
