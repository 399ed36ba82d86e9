package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Child JVMs update one document continuously and are killed with SIGKILL at random moments ({@code
 * -Dlockstep.crash.kills=N}, default 12; use 200 for a full campaign). After each kill: the
 * document parses, its revision is the last acknowledged one or one more, its counter matches its
 * revision, the log ends at that revision or one before it (a kill between rename and append) and
 * has nothing else wrong but a torn tail or temp files (a killed writer's spare file is not
 * reported); after {@code recover()} all is well, the log is contiguous up to the document's
 * revision, and no temp or spare file is left.
 *
 * <p>Checked against a broken variant: {@code -Dlockstep.crash.variant=inplace} gives the child a
 * file layer that rewrites the document in place (4 bytes at a time, each fsync'd) instead of
 * renaming a temp file over it; 40 kills then fail with an InvalidDocumentException (a torn
 * document), while the real layer passes 200.
 */
class CrashCampaignTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final Set<Finding.Kind> CRASH_LEFTOVERS =
      Set.of(Finding.Kind.TEMP_FILE, Finding.Kind.TORN_LOG_TAIL, Finding.Kind.UNLOGGED_COMMIT);

  @TempDir Path dir;

  @Test
  void killedWritersLeaveTheOldOrTheNewDocument(@TempDir Path ackDir) throws Exception {
    int kills = Integer.getInteger("lockstep.crash.kills", 12);
    String variant = System.getProperty("lockstep.crash.variant", "");
    Path file = dir.resolve("state.yaml");
    DocumentCodec<ObjectNode> codec = DocumentCodecs.yaml();
    Map<Finding.Kind, Integer> seen = new EnumMap<>(Finding.Kind.class);
    long acknowledged = 0;
    Path acks = ackDir.resolve("acks.txt"); // not in dir, whose files are checked below
    List<String> childArgs = new ArrayList<>(List.of("crash", file.toString(), "acks=" + acks));
    if (!variant.isEmpty()) {
      childArgs.add(variant);
    }
    try (DocumentStore<ObjectNode> store = DocumentStore.open(file, codec)) {
      for (int round = 1; round <= kills; round++) {
        String said; // the child's output, for the failure messages below
        Instant killedAt;
        try (Procs child = Procs.jvm(ChildUpdater.class, childArgs.toArray(String[]::new))) {
          // let the child get going (a random number of commits), then kill it at a random instant
          int commits = ThreadLocalRandom.current().nextInt(2, 12);
          for (int i = 0; i < commits; i++) {
            acknowledged = Math.max(acknowledged, ack(child.awaitLine("ack", START)));
          }
          Thread.sleep(0, ThreadLocalRandom.current().nextInt(0, 999_999));
          killedAt = Instant.now();
          child.kill();
          for (String line : child.rest(START)) {
            if (line.startsWith("ack")) {
              acknowledged = Math.max(acknowledged, ack(line));
            }
          }
          said = "pid " + child.process().pid() + ": " + child.transcript();
        }
        // The acknowledgements the child wrote to its file are the record: its output pipe has been
        // seen (twice in ~10 full verify runs under load, session 10) to end without its last lines
        // after a SIGKILL, which made this test fail with a document 2-4 revisions "ahead".
        long piped = acknowledged;
        for (String line : Files.readAllLines(acks)) {
          acknowledged = Math.max(acknowledged, ack(line));
        }
        // One behind is a kill between the file's line and the pipe's; more is lost pipe output.
        if (acknowledged > piped + 1) {
          System.out.println(
              "crash campaign: kill "
                  + round
                  + ": lines lost from the pipe: its last ack was "
                  + piped
                  + ", the ack file's "
                  + acknowledged);
        }
        String where =
            "after kill "
                + round
                + " (last acknowledged "
                + acknowledged
                + "; the child's last output: "
                + said.substring(Math.max(0, said.length() - 200)).replace('\n', '|')
                + ")";
        Versioned<ObjectNode> doc = store.read();
        long revision = doc.revision();
        if (revision != acknowledged && revision != acknowledged + 1) {
          StringBuilder log = new StringBuilder();
          for (Change c : store.history()) {
            if (c.revision() > acknowledged - 3) {
              log.append(" | ").append(c.revision()).append(' ').append(c.operation());
              log.append(" pid ").append(c.pid()).append(' ').append(c.time());
            }
          }
          throw new AssertionError(
              where
                  + ": document at revision "
                  + revision
                  + " (test pid "
                  + ProcessHandle.current().pid()
                  + ", child killed at "
                  + killedAt
                  + "); log tail"
                  + log);
        }
        assertEquals(revision - 1, doc.value().get("counter").asLong(), where);

        VerifyReport report = store.verify();
        assertTrue(
            report.loggedRevision() == revision || report.loggedRevision() == revision - 1,
            where + ": " + report);
        for (Finding f : report.findings()) {
          assertTrue(CRASH_LEFTOVERS.contains(f.kind()), where + ": " + f);
          seen.merge(f.kind(), 1, Integer::sum);
        }
        RecoveryReport recovery = store.recover();
        assertTrue(recovery.clean(), where + ": " + recovery);
        assertTrue(store.verify().ok(), where + ": " + store.verify());
        try (Stream<Path> entries = Files.list(dir)) {
          assertEquals(
              List.of(),
              entries
                  .filter(
                      p ->
                          p.getFileName().toString().contains(".tmp-")
                              || p.getFileName().toString().contains(".spare-"))
                  .toList(),
              where);
        }
        List<Change> history = store.history();
        for (int i = 0; i < history.size(); i++) {
          assertEquals(i + 1, history.get(i).revision(), where + ": log contiguous");
        }
        assertEquals(revision, history.get(history.size() - 1).revision(), where);
        acknowledged = revision;
      }
    }
    System.out.println(
        "crash campaign: "
            + kills
            + " kills, final revision "
            + acknowledged
            + ", findings repaired "
            + seen);
  }

  private static long ack(String line) {
    return Long.parseLong(line.substring("ack ".length()).trim());
  }
}
