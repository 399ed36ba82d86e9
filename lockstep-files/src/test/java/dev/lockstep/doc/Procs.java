package dev.lockstep.doc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child process of a test whose output lines are collected by a reader thread. Closing it kills
 * the process (SIGKILL) if it still runs.
 */
final class Procs implements AutoCloseable {
  /** Debian's Python, which has python3-filelock and python3-yaml. */
  static final String PYTHON = "/usr/bin/python3";

  private static final String EOF = "\u0000eof";

  private final Process process;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuilder transcript = new StringBuilder();

  private Procs(Process process) {
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                  lines.add(l);
                }
              } catch (IOException ignored) {
                // the process was killed
              } finally {
                lines.add(EOF);
              }
            },
            "child-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  static Procs start(List<String> command) throws IOException {
    return new Procs(new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  /** A child JVM running {@code main} of {@code mainClass} with this test's class path. */
  static Procs jvm(Class<?> mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElseThrow());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xshare:auto");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(List.of(args));
    return start(cmd);
  }

  Process process() {
    return process;
  }

  /** The next output line, or null at the end of output; fails after {@code timeout}. */
  String nextLine(Duration timeout) throws InterruptedException {
    String l = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (l == null) {
      throw new AssertionError("no output from child within " + timeout + ": " + transcript);
    }
    if (l.equals(EOF)) {
      lines.add(EOF);
      return null;
    }
    transcript.append(l).append('\n');
    return l;
  }

  /** Waits for a line starting with {@code prefix}; fails if the output ends first. */
  String awaitLine(String prefix, Duration timeout) throws InterruptedException {
    for (String l; (l = nextLine(timeout)) != null; ) {
      if (l.startsWith(prefix)) {
        return l;
      }
    }
    throw new AssertionError("child ended without '" + prefix + "': " + transcript);
  }

  /** Every line until the end of output (the process must end by itself or be killed). */
  List<String> rest(Duration timeout) throws InterruptedException {
    List<String> out = new ArrayList<>();
    for (String l; (l = nextLine(timeout)) != null; ) {
      out.add(l);
    }
    return out;
  }

  String transcript() {
    return transcript.toString();
  }

  /** Waits for the exit; returns the status. */
  int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("child did not exit in " + timeout + ": " + transcript);
    }
    return process.exitValue();
  }

  /** SIGKILL, then waits for the process to be gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  /** Runs a command to completion; returns its exit status (output goes to the transcript). */
  static int run(List<String> command, Duration timeout) throws Exception {
    try (Procs p = start(command)) {
      p.process().getOutputStream().close();
      return p.waitFor(timeout);
    }
  }
}
