package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.fsm.FsmInvariantChecker;
import dev.lockstep.testkit.fsm.FsmStoreContract;
import dev.lockstep.testkit.fsm.InvariantReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separate JVMs racing on one SQLite file: 4 child processes fire {@code start} at the same entity,
 * round after round; each round must have exactly one {@code TRANSITIONED}, every fire must be in
 * the log, and the invariants must hold. Rounds: {@code -Dlockstep.fsm.childRounds} (default 25).
 *
 * <p>Shown to fail: with {@code -Dlockstep.fsm.brokenChildren=true} the children commit through
 * {@link LostUpdateFsmStore} (commits ignore the version); that run failed with several
 * TRANSITIONED in round 0 ("expected: <1> but was: <4>").
 */
class ChildJvmRaceTest {
  private static final int CHILDREN = 4;
  @TempDir Path dir;

  @Test
  void childJvmsOnOneFileHaveExactlyOneWinnerPerRound() throws Exception {
    int rounds = Integer.getInteger("lockstep.fsm.childRounds", 25);
    boolean broken = Boolean.getBoolean("lockstep.fsm.brokenChildren");
    Path db = dir.resolve("race.db");
    Path start = dir.resolve("start");
    try (FsmStore store = FsmStore.sqlite(db);
        FsmEngine engine = FsmEngine.builder(store).machine(FsmStoreContract.JOB).build()) {
      for (int r = 0; r < rounds; r++) {
        engine.create("job", "e" + r);
      }
    }
    List<Process> children = new ArrayList<>();
    List<BlockingQueue<String>> outputs = new ArrayList<>();
    try {
      for (int i = 0; i < CHILDREN; i++) {
        List<String> cmd =
            new ArrayList<>(
                List.of(
                    ProcessHandle.current().info().command().orElseThrow(),
                    "--enable-native-access=ALL-UNNAMED",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-cp",
                    System.getProperty("java.class.path"),
                    FsmRaceChild.class.getName(),
                    db.toString(),
                    start.toString(),
                    Integer.toString(rounds)));
        if (broken) {
          cmd.add("broken");
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        children.add(p);
        outputs.add(lines(p));
      }
      for (int i = 0; i < CHILDREN; i++) {
        List<String> seen = new ArrayList<>();
        while (!seen.contains("ready")) {
          String line = outputs.get(i).poll(60, TimeUnit.SECONDS);
          assertTrue(line != null && !line.equals(EOF), "child " + i + " did not start: " + seen);
          seen.add(line);
        }
      }
      Files.createFile(start);
      int[] winners = new int[rounds];
      for (int i = 0; i < CHILDREN; i++) {
        assertTrue(children.get(i).waitFor(120, TimeUnit.SECONDS), "child " + i + " hung");
        List<String> lines = new ArrayList<>();
        for (String l; !(l = outputs.get(i).take()).equals(EOF); ) {
          lines.add(l);
        }
        assertEquals(0, children.get(i).exitValue(), "child " + i + ": " + lines);
        int fires = 0;
        for (String l : lines) {
          String[] f = l.split(" ");
          if (f.length != 2 || !f[0].chars().allMatch(Character::isDigit)) {
            continue;
          }
          fires++;
          if (f[1].equals("TRANSITIONED")) {
            winners[Integer.parseInt(f[0])]++;
          } else {
            assertTrue(f[1].equals("CONFLICT") || f[1].equals("NOT_ALLOWED"), l);
          }
        }
        assertEquals(rounds, fires, "child " + i + ": " + lines);
      }
      for (int r = 0; r < rounds; r++) {
        assertEquals(1, winners[r], "round " + r + ": TRANSITIONED fires across the JVMs");
      }
    } finally {
      for (Process p : children) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
    try (FsmStore store = FsmStore.sqlite(db)) {
      for (int r = 0; r < rounds; r++) {
        assertEquals(CHILDREN, store.history("e" + r).size(), "attempts logged on e" + r);
        assertEquals(1, store.read("e" + r).orElseThrow().version());
      }
      InvariantReport report = FsmInvariantChecker.check(store, List.of(FsmStoreContract.JOB));
      report.assertOk();
      assertEquals(rounds, report.entities());
    }
  }

  private static final String EOF = "\u0000EOF";

  /** Reads the process's output lines into a queue on a virtual thread, then {@link #EOF}. */
  private static BlockingQueue<String> lines(Process p) {
    BlockingQueue<String> q = new LinkedBlockingQueue<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                  q.add(l);
                }
              } catch (IOException e) {
                q.add("read failed: " + e);
              }
              q.add(EOF);
            });
    return q;
  }
}
