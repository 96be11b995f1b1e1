/**
 * The project's one JSON reader and writer (strict RFC 8259, bounded against hostile input), used by
 * saving, the test fixtures and the benchmark reports. Depends on the JDK only.
 */
module dev.javelin.json {
    exports dev.javelin.json;
}
