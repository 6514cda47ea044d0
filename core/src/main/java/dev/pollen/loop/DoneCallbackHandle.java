package dev.pollen.loop;

import java.util.function.Consumer;

/** A done-callback of a {@link Future}, scheduled on the loop without a capturing lambda. */
final class DoneCallbackHandle<T> extends Handle {

    private final Future<T> future;
    private final Consumer<? super Future<T>> callback;

    DoneCallbackHandle(Future<T> future, Consumer<? super Future<T>> callback) {
        super(null);
        this.future = future;
        this.callback = callback;
    }

    @Override
    void invoke() {
        callback.accept(future);
    }

    @Override
    Object describe() {
        return "done-callback " + callback + " of " + future;
    }
}
