package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocCommandTest {
  private static final String WORKFLOW =
      """
      # Workflow: Ingest docs
      **Workflow ID:** wf_1
      **Status:** Wave 2/5
      **Revision:** 7
      **Started:** 2026-01-21T10:00:00Z
      **Updated:** 2026-01-21T10:05:00Z

      ## Completed
      - [x] fetch sources
      ## Current Wave
      - [~] parse pages
      - [ ] index pages
      ## Pending Waves
      ### Wave 3
      - [ ] summarize
      ## Notes
      - 2026-01-21T10:04:00Z retrying parse after timeout
      """;

  private static final String PYTHON = "/usr/bin/python3"; // Debian's, with python3-yaml

  /** What PyYAML's {@code safe_load} makes of {@code file}, without {@code revision}: a repr. */
  private static String pyYaml(Path file) throws Exception {
    Process p =
        new ProcessBuilder(
                PYTHON,
                "-c",
                "import sys, yaml\n"
                    + "d = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))\n"
                    + "d.pop('revision', None)\n"
                    + "print(repr(d))",
                file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python3 did not finish");
    assertEquals(0, p.exitValue(), out);
    return out.strip();
  }

  private static boolean hasPyYaml() throws Exception {
    Process p = new ProcessBuilder(PYTHON, "-c", "import yaml").redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  private static CliRun doc(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "doc";
    System.arraycopy(args, 0, all, 1, args.length);
    return CliRun.of(all);
  }

  @Test
  void setGetIncrHistoryShowRestoreVerify(@TempDir Path dir) throws Exception {
    String f = dir.resolve("state.yaml").toString();
    CliRun set = doc("set", f, "workers.w1.status=busy", "count=3", "tags=[a, b]");
    assertEquals(0, set.status(), set.err());
    assertEquals("1\n", set.out(), "a missing document is created at revision 1");
    assertEquals("busy\n", doc("get", f, "workers.w1.status").out());
    assertEquals("[\"a\",\"b\"]\n", doc("get", f, "tags").out());
    assertEquals(
        "{\"revision\":1,\"workers\":{\"w1\":{\"status\":\"busy\"}},\"count\":3,\"tags\":[\"a\",\"b\"]}\n",
        doc("get", f).out());

    CliRun incr = doc("incr", f, "count", "--by", "2", "--repeat", "3");
    assertEquals(0, incr.status(), incr.err());
    assertEquals("5\n7\n9\n", incr.out());
    assertEquals("4\n", doc("get", f, "revision").out());

    List<String> history = doc("history", f).out().lines().toList();
    assertEquals(4, history.size(), history.toString());
    assertTrue(history.get(1).startsWith("2\t"), history.get(1));
    assertTrue(history.get(1).contains("\tupdate\tlockstep-cli\t"), history.get(1));
    assertEquals(2, doc("history", f, "--limit", "2").out().lines().count());

    CliRun show = doc("show", f, "--revision", "2");
    assertEquals(0, show.status(), show.err());
    assertTrue(show.out().contains("count: 5"), show.out());
    assertTrue(show.out().contains("revision: 2"), show.out());

    CliRun restore = doc("restore", f, "--revision", "1");
    assertEquals("5\n", restore.out(), restore.err());
    assertEquals("3\n", doc("get", f, "count").out());

    CliRun verify = doc("verify", f);
    assertEquals(0, verify.status(), verify.out());
    assertTrue(verify.out().contains("ok at revision 5"), verify.out());
  }

  @Test
  void expectRevisionRefusesAStaleWriteAndWritesNothing(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("state.json");
    assertEquals(0, doc("set", f.toString(), "a=1", "--expect-revision", "0").status());
    assertEquals("2\n", doc("set", f.toString(), "a=2", "--expect-revision", "1").out());
    String before = Files.readString(f);
    CliRun stale = doc("set", f.toString(), "a=3", "--expect-revision", "1");
    assertEquals(DocCommand.STALE, stale.status());
    assertTrue(stale.err().contains("expected revision 1"), stale.err());
    assertEquals(before, Files.readString(f));
  }

  @Test
  void invalidDocumentsAreReportedWithLineNumbersAndNeverWritten(@TempDir Path dir)
      throws Exception {
    Path f = dir.resolve("STATE.md");
    Files.writeString(f, WORKFLOW.replace("- [ ] index pages", "- [y] index pages"));
    CliRun get = doc("get", f.toString(), "status");
    assertEquals(DocCommand.EX_DATAERR, get.status());
    assertTrue(get.err().contains("STATE.md:12:"), get.err());
    String before = Files.readString(f);
    assertEquals(DocCommand.EX_DATAERR, doc("set", f.toString(), "status=Wave 3/5").status());
    assertEquals(before, Files.readString(f));
  }

  /**
   * YAML as PyYAML writes it (YAML 1.1): {@code 123e4567} and {@code 1e3} are strings there, so
   * they are strings here, and the document takes commits (it used to read as Infinity and 1000.0,
   * after which every commit failed with status 2).
   */
  @Test
  void numbersWithoutADotAreStringsAsForPyYamlAndTheDocumentStaysWritable(@TempDir Path dir)
      throws Exception {
    Path f = dir.resolve("state.yaml");
    Files.writeString(f, "x: 123e4567\nz: 1e3\n");
    CliRun set = doc("set", f.toString(), "a=1");
    assertEquals(0, set.status(), set.err());
    assertEquals(0, doc("set", f.toString(), "a=2").status());
    assertEquals("123e4567\n", doc("get", f.toString(), "x").out());
    assertEquals("1e3\n", doc("get", f.toString(), "z").out());
    assertEquals("revision: 2\nx: \"123e4567\"\nz: \"1e3\"\na: 2\n", Files.readString(f));
  }

  /**
   * A key YAML 1.1 reads as a number ({@code 1:}) has no place among the JSON model's string keys:
   * refused with the file, the line and the key, and the file is left alone.
   */
  @Test
  void aNumberKeyIsRefusedWithFileLineAndKey(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("state.yaml");
    Files.writeString(f, "a: 1\ntasks:\n  1: a\n");
    CliRun get = doc("get", f.toString());
    assertEquals(DocCommand.EX_DATAERR, get.status(), get.err());
    assertTrue(get.err().contains("state.yaml:3:"), get.err());
    assertTrue(get.err().contains("key '1'"), get.err());
    assertEquals(DocCommand.EX_DATAERR, doc("set", f.toString(), "a=2").status());
    assertEquals("a: 1\ntasks:\n  1: a\n", Files.readString(f));
  }

  @Test
  void markdownWorkflowsShowAsTreesAndTakeHeaderFields(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("STATE.md");
    Files.writeString(f, WORKFLOW);
    assertEquals("Wave 2/5\n", doc("get", f.toString(), "status").out());
    assertEquals("index pages\n", doc("get", f.toString(), "currentWave.1.text").out());
    CliRun set = doc("set", f.toString(), "status=Wave 3/5");
    assertEquals("8\n", set.out(), set.err());
    String after = Files.readString(f);
    assertTrue(after.contains("**Status:** Wave 3/5\n**Revision:** 8\n"), after);
    assertTrue(after.contains("- [~] parse pages\n"), after);
    assertEquals(DocCommand.USAGE, doc("set", f.toString(), "status=almost done").status());
    assertEquals(DocCommand.USAGE, doc("set", f.toString(), "owner=me").status());
    assertEquals(DocCommand.USAGE, doc("incr", f.toString(), "revision").status());
  }

  @Test
  void usageErrorsNameTheProblem(@TempDir Path dir) {
    String f = dir.resolve("state.yaml").toString();
    CliRun noEquals = doc("set", f, "justakey");
    assertEquals(DocCommand.USAGE, noEquals.status());
    assertTrue(noEquals.err().contains("KEY=VALUE"), noEquals.err());
    CliRun revision = doc("set", f, "revision=9");
    assertEquals(DocCommand.USAGE, revision.status());
    assertEquals(0, doc("set", f, "name=x").status());
    CliRun notInt = doc("incr", f, "name");
    assertEquals(DocCommand.USAGE, notInt.status());
    assertTrue(notInt.err().contains("not an integer"), notInt.err());
    CliRun ext = doc("get", dir.resolve("state.txt").toString());
    assertEquals(DocCommand.USAGE, ext.status());
    assertTrue(ext.err().contains("--format"), ext.err());
    assertEquals(DocCommand.EX_NOINPUT, doc("get", dir.resolve("none.yaml").toString()).status());
    assertEquals(DocCommand.EX_NOINPUT, doc("get", f, "no.such.key").status());
    assertEquals(DocCommand.EX_NOINPUT, doc("show", f, "--revision", "99").status());
  }

  @Test
  void aLockHeldByAnotherProcessTimesOutWithStatus75(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("state.yaml");
    assertEquals(0, doc("set", f.toString(), "a=1").status());
    // flock(1) holds state.yaml.lock the way a Python filelock holder would; -o keeps the lock in
    // flock itself (not in the shell it starts), so killing flock releases it.
    Process holder =
        new ProcessBuilder(
                "flock",
                "-o",
                dir.resolve("state.yaml.lock").toString(),
                "-c",
                "echo held; sleep 60")
            .redirectErrorStream(true)
            .start();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
      assertEquals("held", r.readLine());
      CliRun timedOut = doc("set", f.toString(), "a=2", "--timeout", "200ms");
      assertEquals(DocCommand.EX_TEMPFAIL, timedOut.status(), timedOut.err());
      assertTrue(timedOut.err().contains("state.yaml.lock is locked by pid "), timedOut.err());
      assertTrue(timedOut.err().endsWith("; gave up after --timeout 200ms\n"), timedOut.err());
    } finally {
      holder.descendants().forEach(ProcessHandle::destroyForcibly); // the shell's sleep
      holder.destroyForcibly().waitFor();
    }
    assertEquals("1\n", doc("get", f.toString(), "a").out());
    assertEquals("2\n", doc("set", f.toString(), "a=2", "--timeout", "5s").out());
  }

  @Test
  void verifyReportsATornLogTailAndRecoverRepairsIt(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("state.yaml");
    assertEquals(0, doc("set", f.toString(), "a=1").status());
    // What a crash in the middle of an append leaves: half a line, no newline.
    Files.writeString(
        dir.resolve("state.yaml.changes.jsonl"), "{\"revision\":2,\"ti", StandardOpenOption.APPEND);
    CliRun verify = doc("verify", f.toString());
    assertEquals(DocCommand.PROBLEMS, verify.status(), verify.out());
    assertTrue(verify.out().contains("torn-log-tail (repairable)"), verify.out());
    CliRun recover = doc("recover", f.toString());
    assertEquals(0, recover.status(), recover.out());
    assertTrue(recover.out().startsWith("repaired torn-log-tail: "), recover.out());
    CliRun again = doc("verify", f.toString());
    assertEquals(0, again.status(), again.out());
    assertEquals("1\n", doc("get", f.toString(), "a").out());
  }

  /** A symlinked FILE is written through: the link stays, its target changes, one lock file. */
  @Test
  void setThroughASymbolicLinkWritesTheTarget(@TempDir Path dir) throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Path real = shared.resolve("real.yaml");
    assertEquals("1\n", doc("set", real.toString(), "a=1").out());
    Path link = Files.createSymbolicLink(dir.resolve("link.yaml"), Path.of("shared/real.yaml"));
    CliRun set = doc("set", link.toString(), "a=2");
    assertEquals(0, set.status(), set.err());
    assertEquals("2\n", set.out());
    assertTrue(Files.isSymbolicLink(link), "the link is still a link");
    assertEquals("2\n", doc("get", real.toString(), "a").out());
    assertTrue(Files.notExists(dir.resolve("link.yaml.lock")), "the target's lock only");
    assertEquals(0, doc("verify", link.toString()).status());
  }

  /**
   * VALUE of {@code doc set KEY=VALUE} means what the same text means in the file, to PyYAML and to
   * the store (YAML 1.1): {@code 1e3} is a string (it used to be stored as the number 1000.0),
   * {@code 1:30} is the sexagesimal 90 (it used to be the string "1:30"); quoted values stay
   * strings, flow (JSON-looking) values are read as before.
   */
  @Test
  void valuesMeanWhatTheyMeanInTheFileToPyYaml(@TempDir Path dir) throws Exception {
    assumeTrue(hasPyYaml(), "needs /usr/bin/python3 with python3-yaml");
    Path f = dir.resolve("state.yaml");
    CliRun set =
        doc(
            "set",
            f.toString(),
            "x=1e3",
            "t=1:30",
            "s='1e3'",
            "y=\"yes\"",
            "b=yes",
            "o={\"a\":1}",
            "l=[1,2]");
    assertEquals(0, set.status(), set.err());
    assertEquals(
        "{'x': '1e3', 't': 90, 's': '1e3', 'y': 'yes', 'b': True, 'o': {'a': 1}, 'l': [1, 2]}",
        pyYaml(f),
        Files.readString(f));
    assertEquals("1e3\n", doc("get", f.toString(), "x").out());
    assertEquals("90\n", doc("get", f.toString(), "t").out());
    assertEquals("{\"a\":1}\n", doc("get", f.toString(), "o").out());
    assertEquals("[1,2]\n", doc("get", f.toString(), "l").out());
  }

  /**
   * What reading the file refuses (a timestamp, .inf, .nan, a key that is not a string to PyYAML, a
   * key given twice) is refused in VALUE too: a usage error naming KEY and VALUE, nothing written.
   * (A date used to be stored as a string, which PyYAML then read as a string, not a date.)
   */
  @Test
  void valuesFileReadingRefusesAreUsageErrorsNamingKeyAndValue(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("state.yaml");
    assertEquals(0, doc("set", f.toString(), "a=1").status());
    String before = Files.readString(f);
    for (String[] c :
        new String[][] {
          {"d", "2024-01-02", "timestamp"},
          {"d", "2024-01-02 10:00:00", "timestamp"},
          {"n", ".inf", "inf"},
          {"n", "-.Inf", "-inf"},
          {"n", ".nan", "nan"},
          {"n", "1.0e+400", "inf"},
          {"m", "{1: a}", "key '1'"},
          {"m", "{on: a}", "key 'on'"},
          {"m", "[{a: 1, a: 2}]", "twice"},
          {"m", "{a: [1, 2024-01-02]}", "a[1]"}
        }) {
      CliRun set = doc("set", f.toString(), c[0] + "=" + c[1]);
      assertEquals(DocCommand.USAGE, set.status(), c[1] + ": " + set.err());
      assertTrue(set.err().contains("KEY '" + c[0] + "'"), set.err());
      assertTrue(set.err().contains("VALUE '" + c[1] + "'"), set.err());
      assertTrue(set.err().contains(c[2]), set.err());
      assertEquals(1, set.err().lines().count(), set.err());
      assertEquals(before, Files.readString(f));
    }
    // quoted, each is a string
    CliRun quoted = doc("set", f.toString(), "d='2024-01-02'", "n=\".inf\"");
    assertEquals(0, quoted.status(), quoted.err());
    assertEquals("2024-01-02\n", doc("get", f.toString(), "d").out());
    assertEquals(".inf\n", doc("get", f.toString(), "n").out());
  }
}
