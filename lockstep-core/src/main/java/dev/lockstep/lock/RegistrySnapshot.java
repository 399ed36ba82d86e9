package dev.lockstep.lock;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An immutable picture of every lock of a {@link LockRegistry} and of the watchdog's current
 * alerts. Each lock is read stripe by stripe, so a snapshot of a busy lock is not one atomic
 * instant; counters and histograms may lag holders by the operations in flight.
 *
 * @param takenAt when the snapshot was taken
 * @param locks the registry's locks, by name
 * @param alerts long waits and holds seen by the watchdog's most recent look
 */
public record RegistrySnapshot(
    Instant takenAt, List<LockSnapshot> locks, List<WatchdogAlert> alerts) {

  /** Copies the lists. */
  public RegistrySnapshot {
    locks = List.copyOf(locks);
    alerts = List.copyOf(alerts);
  }

  /** The snapshot of the named lock, if the registry has it. */
  public Optional<LockSnapshot> lock(String name) {
    return locks.stream().filter(l -> l.name().equals(name)).findFirst();
  }

  /** The snapshot as one compact JSON document. */
  public String toJson() {
    Json j = new Json();
    j.beginObject().field("takenAt", takenAt.toString()).name("locks").beginArray();
    locks.forEach(l -> l.toJson(j));
    j.endArray().name("alerts").beginArray();
    for (WatchdogAlert a : alerts) {
      j.beginObject()
          .field("kind", a.kind().name())
          .field("lock", a.lock())
          .field("key", a.key())
          .field("owner", a.owner())
          .field("mode", a.mode().name())
          .field("durationMillis", a.duration().toMillis())
          .field("thresholdMillis", a.threshold().toMillis())
          .field("message", a.message())
          .endObject();
    }
    return j.endArray().endObject().toString();
  }
}
