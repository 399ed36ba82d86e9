package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lockstep lock}, run as real processes like a user's shell runs it. */
class LockCommandTest {
  private static final String PYTHON = "/usr/bin/python3"; // Debian's, with python3-filelock

  @TempDir Path dir;

  /** Exit status and what the process printed to stdout and stderr. */
  record Result(int status, String out, String err) {}

  private static List<String> lockstep(String... args) {
    return CliRun.childCommand(args);
  }

  private static Result run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).start();
    p.getOutputStream().close();
    var err = p.getErrorStream();
    byte[] out = p.getInputStream().readAllBytes();
    String errText = new String(err.readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "did not finish: " + command);
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), errText);
  }

  /**
   * 4 shell loops, each running 10 read-increment-write cycles of a counter file under {@code
   * lockstep lock} (a fresh JVM per cycle, ~0.4 s here, so kept small), lose no increment. Checked
   * against a broken variant that passes {@code --shared}: cycles overlap and the counter ends
   * below 40.
   */
  @Test
  void concurrentIncrementsUnderTheLockLoseNothing() throws Exception {
    Path counter = Files.writeString(dir.resolve("counter"), "0");
    Path lockFile = dir.resolve("counter.lock");
    StringBuilder lockstep = new StringBuilder();
    for (String part : lockstep("lock", lockFile.toString(), "--")) {
      lockstep.append('\'').append(part.replace("'", "'\\''")).append("' ");
    }
    int loops = 4;
    int rounds = 10;
    String script =
        "i=0; while [ $i -lt "
            + rounds
            + " ]; do "
            + lockstep
            + "sh -c 'n=$(cat \"$1\"); sleep 0.05; echo $((n+1)) > \"$1\"' sh \"$COUNTER\""
            + " || exit $?; i=$((i+1)); done";
    List<Process> shells = new ArrayList<>();
    for (int s = 0; s < loops; s++) {
      ProcessBuilder pb = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true);
      pb.environment().put("COUNTER", counter.toString());
      shells.add(pb.start());
    }
    for (Process shell : shells) {
      shell.getOutputStream().close();
      String output = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(shell.waitFor(120, TimeUnit.SECONDS));
      assertEquals(0, shell.exitValue(), output);
    }
    assertEquals(loops * rounds, Integer.parseInt(Files.readString(counter).strip()));
    assertTrue(Files.exists(lockFile), "the lock file stays");
  }

  @Test
  void exitsWithTheCommandsStatusAndCreatesTheLockFile() throws Exception {
    Path lockFile = dir.resolve("new.lock");
    Result r = run(lockstep("lock", lockFile.toString(), "--", "sh", "-c", "echo hi; exit 7"));
    assertEquals(new Result(7, "hi\n", ""), r);
    assertTrue(Files.exists(lockFile));
    // Options of the command need no "--".
    assertEquals(0, run(lockstep("lock", lockFile.toString(), "ls", "-d", "/")).status());
    assertEquals(127, run(lockstep("lock", lockFile.toString(), "--", "/no/such/cmd")).status());
    assertEquals(2, run(lockstep("lock", lockFile.toString())).status());
    assertEquals(
        2, run(lockstep("lock", "--timeout", "soon", lockFile.toString(), "true")).status());
    assertEquals(
        66, run(lockstep("lock", dir.resolve("no/dir/x.lock").toString(), "true")).status());
  }

  /**
   * SIGTERM to {@code lockstep lock} stops the command's whole process tree before the lock goes:
   * {@code sh -c 'sleep 30; ...'} leaves its {@code sleep} running when only the shell is stopped,
   * and a second holder would then run beside it (flock(1) keeps the lock in that case, because its
   * children hold the locked descriptor). Failed before the fix: the {@code sleep} was still alive
   * after {@code lockstep lock} had exited and released the lock.
   */
  @Test
  void sigtermStopsTheCommandsWholeTreeBeforeTheLockIsReleased() throws Exception {
    Path lockFile = dir.resolve("tree.lock");
    Process p =
        new ProcessBuilder(
                lockstep(
                    "lock",
                    lockFile.toString(),
                    "--",
                    "sh",
                    "-c",
                    "echo started; sleep 30; echo done"))
            .redirectErrorStream(true)
            .start();
    List<ProcessHandle> tree = new ArrayList<>();
    try {
      BufferedReader lines =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("started", lines.readLine());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (tree.stream().noneMatch(h -> h.info().command().orElse("").endsWith("sleep"))) {
        assertTrue(System.nanoTime() < deadline, "no sleep under " + p.pid());
        Thread.sleep(20);
        tree = new ArrayList<>(p.descendants().toList());
      }
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(20, TimeUnit.SECONDS));
      assertEquals(143, p.exitValue());
      for (ProcessHandle h : tree) {
        assertTrue(
            h.onExit().completeOnTimeout(null, 5, TimeUnit.SECONDS).join() != null,
            "still running after lockstep lock exited: " + h.pid() + " " + h.info().command());
      }
      assertEquals(0, run(lockstep("lock", "-n", lockFile.toString(), "true")).status());
    } finally {
      tree.forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  /** A Python filelock holder makes --nonblock and --timeout exit 75 naming Python's pid. */
  @Test
  void pythonHoldingTheLockMakesLockExit75NamingItsPid() throws Exception {
    assumeTrue(
        run(List.of(PYTHON, "-c", "import filelock")).status() == 0,
        "needs /usr/bin/python3 with python3-filelock");
    Path lockFile = dir.resolve("state.yaml.lock");
    String hold =
        "import os, sys, filelock\n"
            + "lock = filelock.FileLock(sys.argv[1]); lock.acquire()\n"
            + "print('locked', os.getpid(), flush=True); sys.stdin.read(); lock.release()";
    Process python =
        new ProcessBuilder(PYTHON, "-c", hold, lockFile.toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8));
      String locked = lines.readLine();
      assertTrue(locked != null && locked.startsWith("locked "), String.valueOf(locked));
      String pid = locked.split(" ")[1];

      Result nonblock = run(lockstep("lock", "--nonblock", lockFile.toString(), "--", "true"));
      assertEquals(75, nonblock.status(), nonblock.err());
      assertTrue(nonblock.err().contains("pid " + pid + " (python3)"), nonblock.err());
      assertTrue(nonblock.err().contains(lockFile.toString()), nonblock.err());

      Result timeout =
          run(lockstep("lock", "--timeout", "200ms", "--shared", lockFile.toString(), "true"));
      assertEquals(75, timeout.status(), timeout.err());
      assertTrue(timeout.err().contains("PT0.2S"), timeout.err());

      python.getOutputStream().close();
      assertTrue(python.waitFor(20, TimeUnit.SECONDS));
      assertEquals(0, run(lockstep("lock", "-n", lockFile.toString(), "true")).status());
    } finally {
      python.destroyForcibly();
    }
  }

  /**
   * A lock file this user may read but not write (another user's 0644 file) is locked as flock(1)
   * locks it: opened read-only. As root the file is made immutable instead ({@link ReadOnly}). With
   * --posix an exclusive lock needs a writable file: exit 66 and why.
   */
  @Test
  void aLockFileThatCannotBeWrittenIsLockedLikeFlockDoes() throws Exception {
    Path file = Files.writeString(dir.resolve("rootowned.lock"), "");
    try (ReadOnly ro = ReadOnly.make(file)) {
      Result ran = run(lockstep("lock", file.toString(), "--", "echo", "ran"));
      assertEquals(0, ran.status(), ran.err());
      assertEquals("ran\n", ran.out());
      Result shared = run(lockstep("lock", "--posix", "--shared", file.toString(), "true"));
      assertEquals(0, shared.status(), shared.err());
      Result posix = run(lockstep("lock", "--posix", file.toString(), "true"));
      assertEquals(66, posix.status(), posix.err());
      assertTrue(posix.err().contains("cannot take a POSIX write lock on " + file), posix.err());
      assertTrue(posix.err().contains("read-only"), posix.err());

      // doc verify takes a document's lock the same way
      Path doc = dir.resolve("d.yaml");
      Files.writeString(doc, "revision: 1\na: 1\n");
      Path docLock = Files.writeString(dir.resolve("d.yaml.lock"), "");
      try (ReadOnly lockRo = ReadOnly.make(docLock)) {
        CliRun verify = CliRun.of("doc", "verify", doc.toString());
        assertEquals(0, verify.status(), verify.out() + verify.err());
      }
    }
  }
}
