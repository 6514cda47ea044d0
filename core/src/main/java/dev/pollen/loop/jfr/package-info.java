/**
 * JDK Flight Recorder events about loop health, recorded by
 * {@link dev.pollen.loop.EventLoop} (and, for a loop that dies, by {@code LoopGroup}) with no
 * extra dependency: start a recording with {@code jcmd <pid> JFR.start} (the default settings
 * enable them) and look for {@value dev.pollen.loop.jfr.SlowCallbackEvent#NAME},
 * {@value dev.pollen.loop.jfr.LongIterationEvent#NAME} and
 * {@value dev.pollen.loop.jfr.LoopDeathEvent#NAME} under the category "Pollen".
 */
package dev.pollen.loop.jfr;
