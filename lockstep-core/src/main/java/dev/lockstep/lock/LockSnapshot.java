package dev.lockstep.lock;

import java.util.List;

/**
 * One lock of a {@link RegistrySnapshot}: what it has done and who holds and waits right now.
 * Immutable.
 *
 * @param name the lock's name
 * @param type {@code keyed} or {@code read-write}
 * @param activeKeys keys held or waited for
 * @param counters operation counters
 * @param waitTime how long granted acquisitions waited
 * @param holdTime how long released holds were held
 * @param holders current holders
 * @param waiters current waiters, in queue order per key
 * @param recent the most recent operations (at most {@link RegistryOptions#recentOperations()}),
 *     oldest first by {@link OperationRecord#at()}; an operation still being recorded when the
 *     snapshot is taken may be missing from it
 */
public record LockSnapshot(
    String name,
    String type,
    int activeKeys,
    LockCounters counters,
    LatencySummary waitTime,
    LatencySummary holdTime,
    List<HolderInfo> holders,
    List<HolderInfo> waiters,
    List<OperationRecord> recent) {

  /** Copies the lists. */
  public LockSnapshot {
    holders = List.copyOf(holders);
    waiters = List.copyOf(waiters);
    recent = List.copyOf(recent);
  }

  void toJson(Json j) {
    j.beginObject().field("name", name).field("type", type).field("activeKeys", activeKeys);
    j.name("counters");
    counters.toJson(j);
    j.name("waitTime");
    waitTime.toJson(j);
    j.name("holdTime");
    holdTime.toJson(j);
    j.name("holders").beginArray();
    holders.forEach(h -> h.toJson(j));
    j.endArray().name("waiters").beginArray();
    waiters.forEach(h -> h.toJson(j));
    j.endArray().name("recent").beginArray();
    recent.forEach(r -> r.toJson(j));
    j.endArray().endObject();
  }
}
