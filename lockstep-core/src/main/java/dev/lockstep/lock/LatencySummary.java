package dev.lockstep.lock;

/**
 * A summary of a latency histogram, in microseconds.
 *
 * @param count how many values were recorded
 * @param minMicros the smallest
 * @param maxMicros the largest
 * @param meanMicros the mean
 * @param p50Micros the median
 * @param p90Micros the 90th percentile
 * @param p99Micros the 99th percentile
 */
public record LatencySummary(
    long count,
    double minMicros,
    double maxMicros,
    double meanMicros,
    double p50Micros,
    double p90Micros,
    double p99Micros) {

  /** The summary of no values. */
  public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0, 0);

  static LatencySummary of(org.HdrHistogram.Histogram h) {
    if (h.getTotalCount() == 0) {
      return EMPTY;
    }
    return new LatencySummary(
        h.getTotalCount(),
        h.getMinValue() / 1000.0,
        h.getMaxValue() / 1000.0,
        h.getMean() / 1000.0,
        h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(90) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0);
  }

  void toJson(Json j) {
    j.beginObject()
        .field("count", count)
        .field("minMicros", minMicros)
        .field("maxMicros", maxMicros)
        .field("meanMicros", meanMicros)
        .field("p50Micros", p50Micros)
        .field("p90Micros", p90Micros)
        .field("p99Micros", p99Micros)
        .endObject();
  }
}
