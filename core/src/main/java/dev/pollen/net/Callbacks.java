package dev.pollen.net;

/** Helpers for calling user code from I/O handlers. */
final class Callbacks {

    private Callbacks() {
    }

    /**
     * Rethrows errors the JVM cannot recover from (out of memory, internal errors); everything
     * else, including a {@link StackOverflowError} in user code, is the caller's to report.
     */
    static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError e && !(t instanceof StackOverflowError)) {
            throw e;
        }
    }
}
