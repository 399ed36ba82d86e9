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
}
