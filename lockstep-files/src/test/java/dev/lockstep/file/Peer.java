package dev.lockstep.file;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Another process contending for a lock file: it prints a line starting with {@code locked} once it
 * holds the lock, holds it until its standard input closes, then releases and exits.
 */
final class Peer implements AutoCloseable {
  /** Debian's Python, which has python3-filelock (the first python3 on PATH may not). */
  static final String PYTHON = "/usr/bin/python3";

  private static final String PYTHON_HOLDER =
      String.join(
          "\n",
          "import os, sys, filelock",
          "lock = filelock.FileLock(sys.argv[1])",
          "lock.acquire()",
          "print('locked', os.getpid(), flush=True)",
          "sys.stdin.read()",
          "lock.release()");

  private final Process process;
  private final BufferedReader out;
  private final StringBuilder transcript = new StringBuilder();

  private Peer(Process process) {
    this.process = process;
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** A Python process holding {@code filelock.FileLock(path)}. */
  static Peer python(Path path) throws IOException {
    return start(List.of(PYTHON, "-c", PYTHON_HOLDER, path.toString()));
  }

  /** A {@code flock(1)} process holding the lock ({@code -s}: shared) while {@code cat} runs. */
  static Peer flock(Path path, boolean shared) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("flock"));
    if (shared) {
      cmd.add("-s");
    }
    cmd.addAll(List.of(path.toString(), "sh", "-c", "echo locked $PPID; exec cat >/dev/null"));
    return start(cmd);
  }

  /** A child JVM running {@link ChildLocker} with the given arguments. */
  static Peer jvm(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElseThrow());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ChildLocker.class.getName());
    cmd.addAll(List.of(args));
    return start(cmd);
  }

  static Peer start(List<String> command) throws IOException {
    return new Peer(new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  /** Waits for the {@code locked} line; returns the pid it names. */
  long awaitLocked(Duration timeout) throws Exception {
    CompletableFuture<Long> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                for (String l; (l = out.readLine()) != null; ) {
                  transcript.append(l).append('\n');
                  if (l.startsWith("locked")) {
                    String[] f = l.split(" ");
                    return f.length > 1 ? Long.parseLong(f[1]) : process.pid();
                  }
                }
                return -1L;
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    long pid;
    try {
      pid = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      process.destroyForcibly();
      throw new AssertionError("peer did not lock in " + timeout + ": " + transcript, e);
    }
    if (pid < 0) {
      throw new AssertionError("peer ended without locking: " + transcript);
    }
    return pid;
  }

  Process process() {
    return process;
  }

  /** Closes the peer's input so it releases the lock, and waits for it to exit. */
  int release() throws Exception {
    process.getOutputStream().close();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("peer did not exit after release: " + transcript);
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  /** Runs a command to completion and returns its exit status. */
  static int run(List<String> command, Duration timeout) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish in " + timeout + ": " + output);
    }
    if (p.exitValue() != 0 && !output.isBlank()) {
      System.err.println(command + " exited " + p.exitValue() + ": " + output);
    }
    return p.exitValue();
  }
}
