package dev.lockstep.bench;

/** Facts about the machine that go with every result. */
final class Machine {
  private Machine() {}

  static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  static String jdk() {
    return System.getProperty("java.version");
  }

  static String os() {
    return System.getProperty("os.name") + " " + System.getProperty("os.arch");
  }

  /** The 1-minute system load average (other processes share these cores), or -1 if unknown. */
  static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
