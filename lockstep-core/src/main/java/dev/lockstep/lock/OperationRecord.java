package dev.lockstep.lock;

import java.time.Instant;

/**
 * One recent operation of a lock, from its bounded ring buffer.
 *
 * @param at when it happened
 * @param operation {@code acquired}, {@code released}, {@code timeout}, {@code rejected}, {@code
 *     cancelled} or {@code error}
 * @param key the key, as text
 * @param thread the thread that reported it
 * @param micros the wait (for acquisitions, timeouts and cancellations) or hold (for releases) in
 *     microseconds
 * @param detail extra text: the mode, a reason or an error message
 */
public record OperationRecord(
    Instant at, String operation, String key, String thread, double micros, String detail) {
  void toJson(Json j) {
    j.beginObject()
        .field("at", at.toString())
        .field("operation", operation)
        .field("key", key)
        .field("thread", thread)
        .field("micros", micros)
        .field("detail", detail)
        .endObject();
  }
}
