/**
 * JDK Flight Recorder events about loop health, recorded by
 * {@link dev.pollen.loop.EventLoop} with no extra dependency: start a recording with
 * {@code jcmd <pid> JFR.start} (the default settings enable them) and look for
 * {@value dev.pollen.loop.jfr.SlowCallbackEvent#NAME} and
 * {@value dev.pollen.loop.jfr.LongIterationEvent#NAME} under the category "Pollen".
 */
package dev.pollen.loop.jfr;
