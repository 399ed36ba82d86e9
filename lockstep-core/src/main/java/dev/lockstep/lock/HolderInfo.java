package dev.lockstep.lock;

import java.time.Duration;

/**
 * A current holder or waiter of a key, as seen by a snapshot.
 *
 * @param owner who holds or waits (a thread or a {@link LockOwner})
 * @param key the key, as text
 * @param mode exclusive or shared
 * @param since how long it has held or waited when the snapshot was taken ({@link Duration#ZERO}
 *     when the lock records no statistics)
 * @param async whether it is an asynchronous acquisition
 */
public record HolderInfo(String owner, String key, LockMode mode, Duration since, boolean async) {
  void toJson(Json j) {
    j.beginObject()
        .field("owner", owner)
        .field("key", key)
        .field("mode", mode.name())
        .field("sinceMillis", since.toMillis())
        .field("async", async)
        .endObject();
  }
}
