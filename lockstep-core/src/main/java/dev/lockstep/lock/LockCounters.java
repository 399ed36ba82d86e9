package dev.lockstep.lock;

/**
 * A lock's operation counters since it was created.
 *
 * @param acquisitions holds granted
 * @param releases holds released (downgrades count as a release and an acquisition)
 * @param timeouts waits that ran out of time
 * @param rejections new keys refused by {@code maxActiveKeys}
 * @param cancellations waits abandoned by interrupt or cancelled future
 * @param errors acquisitions refused for a deadlock or an upgrade
 * @param contended acquisitions that had to wait
 */
public record LockCounters(
    long acquisitions,
    long releases,
    long timeouts,
    long rejections,
    long cancellations,
    long errors,
    long contended) {
  void toJson(Json j) {
    j.beginObject()
        .field("acquisitions", acquisitions)
        .field("releases", releases)
        .field("timeouts", timeouts)
        .field("rejections", rejections)
        .field("cancellations", cancellations)
        .field("errors", errors)
        .field("contended", contended)
        .endObject();
  }
}
