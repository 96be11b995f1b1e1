package dev.javelin.jit;

/**
 * Counters over every compiled function since start, so tests and users can see what a call cost.
 *
 * <pre>{@code
 * long before = Jit.stats().compilations();
 * f.call(x);
 * assert Jit.stats().compilations() == before; // cached
 * }</pre>
 *
 * @param traces           functions traced (each new signature traces once)
 * @param compilations     programs built: trace, optimize, plan and bind kernels
 * @param kernelsGenerated kernel classes generated (a known kernel structure is reused, whatever its shape)
 * @param cacheHits        calls served by a cached program
 */
public record JitStats(long traces, long compilations, long kernelsGenerated, long cacheHits) {}
