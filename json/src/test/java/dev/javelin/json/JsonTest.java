package dev.javelin.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesEveryKindOfValue() {
        Map<String, Object> m = Json.parseObject(
                " {\"a\": 1, \"b\": -2.5e3, \"c\": [true, false, null], \"d\": \"x\\\"\\\\\\n\\u00e9\\/\", \"e\": {}, \"f\": []} ");
        assertEquals(1L, m.get("a"));
        assertEquals(-2500.0, m.get("b"));
        assertEquals(Arrays.asList(true, false, null), m.get("c"));
        assertEquals("x\"\\\n\u00e9/", m.get("d"));
        assertEquals(Map.of(), m.get("e"));
        assertEquals(List.of(), m.get("f"));
        assertEquals(List.of("a", "b", "c", "d", "e", "f"), new ArrayList<>(m.keySet()), "key order kept");
        assertNull(Json.parse("null"));
        assertEquals(0L, Json.parse("0"));
        assertEquals(1e300, Json.parse("1e300"));
        assertEquals(1.8446744073709552E19, Json.parse("18446744073709551616"), "too big for a long: a double");
    }

    @Test
    void roundTripsConfigs() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", "dense_1");
        c.put("units", 10L);
        c.put("rate", 1e-7);
        c.put("use_bias", true);
        c.put("shape", List.of(28L, 28L, 1L));
        c.put("nested", Map.of("k", "v\t\u0001"));
        c.put("none", null);
        String compact = Json.write(c);
        assertEquals(c, Json.parse(compact));
        assertEquals(c, Json.parse(Json.pretty(c)));
        assertTrue(Json.pretty(c).contains("\n  \"units\": 10,"), Json.pretty(c));
        assertEquals("{\"a\":[1,2.5,\"s\"]}", Json.write(Map.of("a", List.of(1, 2.5, "s"))));
    }

    @Test
    void refusesMalformedText() {
        String[] bad = {"", "{", "{\"a\":}", "{\"a\":1,}", "[1,]", "{a:1}", "01", "1.", "-", "1e", "\"abc", "\"\\x\"",
            "\"\\u12\"", "tru", "[1 2]", "{\"a\":1} x", "// c\n1", "\"a\u0001\"", "{\"a\":1,\"a\":2}", "NaN", "+1"};
        for (String s : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(s), s);
            assertTrue(e.getMessage().startsWith("Json: ") && e.getMessage().contains("offset"), e.getMessage());
        }
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("nesting deeper"), e.getMessage());
        assertEquals(1, ((List<?>) Json.parse("[".repeat(200) + "]".repeat(200))).size());
    }

    @Test
    void refusesUnwritableValues() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of(1, 2)));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
        assertEquals("Json: expected an object, got an array", assertThrows(IllegalArgumentException.class, () -> Json.parseObject("[1]")).getMessage());
        assertEquals("Json: expected an object, got a string", assertThrows(IllegalArgumentException.class, () -> Json.parseObject("\"{}\"")).getMessage());
        assertEquals("Json: expected an object, got null", assertThrows(IllegalArgumentException.class, () -> Json.parseObject("null")).getMessage());
    }

    /**
     * A \\u escape takes four ASCII hex digits only: Character.digit also reads fullwidth and other
     * Unicode digits, which let "\\u\uFF10\uFF10\uFF14\uFF11" through as "A".
     */
    @Test
    void aUnicodeEscapeTakesAsciiHexDigitsOnly() {
        for (String s : new String[] {"\"\\u\uFF10\uFF10\uFF14\uFF11\"", "\"\\u004\u0661\"", "\"\\u00\uFF21\uFF21\""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(s), s);
            assertTrue(e.getMessage().contains("bad hex digit"), e.getMessage());
        }
        assertEquals("A\u00ea\u00EA", Json.parse("\"\\u0041\\u00ea\\u00EA\""));
    }

    /**
     * A number outside a double's range (1e400, a million digits) is refused with its text, not read as
     * Infinity: the value could not be written back (write refuses non-finite numbers) and a config
     * would carry an infinite size or rate to a later, vaguer error.
     */
    @Test
    void aNumberOutsideADoublesRangeIsRefused() {
        for (String s : new String[] {"1e400", "-1e400", "[0, 1E+309]", "1" + "0".repeat(400), "-" + "9".repeat(100_000)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(s), s.substring(0, Math.min(s.length(), 40)));
            assertTrue(e.getMessage().contains("outside the range of a double") && e.getMessage().length() < 200, e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Json.parsePython("{\"a\": 2e308}"));
        assertEquals(0.0, Json.parse("1e-400"), "underflow rounds to zero, as every JSON reader does");
        assertEquals(Double.MAX_VALUE, Json.parse("1.7976931348623157e308"));
    }

    /** Writing a structure nested deeper than {@link Json#MAX_DEPTH} (or holding itself) is a clear error, not a StackOverflowError. */
    @Test
    void writingRefusesDeepOrCyclicStructures() {
        List<Object> deep = new ArrayList<>();
        List<Object> cur = deep;
        for (int i = 0; i < 100_000; i++) {
            List<Object> next = new ArrayList<>();
            cur.add(next);
            cur = next;
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.write(deep));
        assertTrue(e.getMessage().contains("nested deeper than " + Json.MAX_DEPTH), e.getMessage());
        Map<String, Object> cyclic = new LinkedHashMap<>();
        cyclic.put("self", cyclic);
        assertThrows(IllegalArgumentException.class, () -> Json.pretty(cyclic));
        String ok = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertEquals(ok, Json.write(Json.parse(ok)), "whatever parse reads, write writes");
    }

    /** Python's json.dump writes NaN, Infinity and -Infinity: parsePython reads them, parse refuses them. */
    @Test
    @SuppressWarnings("unchecked")
    void pythonSpecialsOnlyWhereAsked() {
        Map<String, Object> m = (Map<String, Object>) Json.parsePython("{\"a\": [1, -2.5e3, NaN], \"d\": -Infinity, \"e\": Infinity}");
        assertEquals(Arrays.asList(1L, -2500.0, Double.NaN), m.get("a"));
        assertEquals(Double.NEGATIVE_INFINITY, m.get("d"));
        assertEquals(Double.POSITIVE_INFINITY, m.get("e"));
        var strict = assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, NaN]"));
        assertEquals("Json: NaN is not JSON (Python writes it; read such text with parsePython) at offset 4", strict.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.parse("-Infinity"));
        assertThrows(IllegalArgumentException.class, () -> Json.parsePython("-Inf"));
    }
}
