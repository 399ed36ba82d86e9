package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
  /**
   * The entry class names no picocli type (session 24): with the command tree in {@code Main},
   * linking it loaded {@code CommandLine$IVersionProvider} from the 7,700-entry shaded jar, and
   * {@code lockstep version} took 48 ms instead of ~25 (the start-up target is twice a Python
   * {@code filelock} one-shot, ~20 ms here). Fails with the tree moved back into {@code Main}.
   */
  @Test
  void theEntryClassNamesNoPicocliType() throws IOException {
    try (InputStream in = Main.class.getResourceAsStream("Main.class")) {
      String constants = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertTrue(
          !constants.contains("picocli/"),
          "Main refers to picocli: linking it opens the shaded jar");
    }
  }

  /** Exit status and what the command printed to stdout and stderr. */
  record Result(int status, String out, String err) {}

  private static synchronized Result run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int status = Main.run(args);
      System.out.flush();
      System.err.flush();
      return new Result(
          status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void versionPrintsLockstepAndJavaVersions() {
    Result r = run("version");
    assertEquals(0, r.status(), r.err());
    String line = r.out().strip();
    assertTrue(line.matches("lockstep \\S+ \\(java \\S+\\)"), line);
    assertTrue(line.contains("(java " + Runtime.version() + ")"), line);
    assertEquals("", r.err());
  }

  @Test
  void versionOptionsPrintTheSameLine() {
    String expected = run("version").out();
    assertEquals(new Result(0, expected, ""), run("--version"));
    assertEquals(new Result(0, expected, ""), run("-V"));
  }

  @Test
  void helpListsTheSubcommands() {
    Result r = run("--help");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("Usage: lockstep "), r.out());
    for (String command : List.of("version", "demo", "bench")) {
      assertTrue(r.out().contains("\n  " + command + " "), command + " missing in\n" + r.out());
    }
  }

  /**
   * The top-level help shows only the first description line of each command, so that line must be
   * a whole sentence ({@code fsm}'s once stopped at "create entities, fire").
   */
  @Test
  void helpGivesEachCommandAWholeSentence() {
    Result r = run("--help");
    String commands = r.out().substring(r.out().indexOf("Commands:"));
    List<StringBuilder> entries = new ArrayList<>(); // a command's line and its wrapped lines
    for (String line : commands.lines().skip(1).toList()) {
      if (line.matches("  \\S.*")) {
        entries.add(new StringBuilder(line.strip()));
      } else if (!line.isBlank() && !entries.isEmpty()) {
        entries.getLast().append(' ').append(line.strip());
      }
    }
    assertTrue(entries.size() >= 6, commands);
    for (StringBuilder entry : entries) {
      assertTrue(entry.toString().endsWith("."), "cut off in --help: " + entry);
    }
  }

  /**
   * Every command list ({@code lockstep --help}, {@code lockstep fsm --help}, {@code lockstep doc
   * --help}) shows each subcommand's summary, the first line of its description, whole: one
   * sentence of at most 100 characters, ending with a period, printed entire. (fsm's list stopped
   * mid-sentence at "two transitions for one", "exactly one of several racing" and "equals its
   * number of": their descriptions were one sentence broken over several lines.)
   */
  @Test
  void everyCommandListGivesEachSubcommandAOneSentenceSummary() {
    List<CommandLine> parents = new ArrayList<>();
    collectParents(Root.commandLine(), parents);
    assertTrue(parents.size() >= 3, parents.toString());
    for (CommandLine parent : parents) {
      List<String> args =
          new ArrayList<>(List.of(parent.getCommandSpec().qualifiedName().split(" ")));
      args.remove(0); // "lockstep"
      args.add("--help");
      Result r = run(args.toArray(String[]::new));
      assertEquals(0, r.status(), args + ": " + r.err());
      List<String> entries = commandEntries(r.out());
      assertEquals(parent.getSubcommands().size(), entries.size(), r.out());
      for (CommandLine sub : parent.getSubcommands().values()) {
        String summary = sub.getCommandSpec().usageMessage().description()[0];
        String where = sub.getCommandSpec().qualifiedName() + ": '" + summary + "'";
        assertTrue(summary.endsWith("."), "not a sentence: " + where);
        assertTrue(summary.length() <= 100, "not a one-line summary: " + where);
        String entry =
            entries.stream()
                .filter(e -> e.startsWith(sub.getCommandName() + " "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(where + " not listed in\n" + r.out()));
        assertEquals(
            (sub.getCommandName() + summary).replaceAll("\\s", ""),
            entry.replaceAll("\\s", ""),
            "cut off in " + args + ": " + entry);
      }
    }
  }

  /**
   * Every command and subcommand takes --help (usage on stdout, exit 0) and -V (the version line).
   * ({@code lockstep version --help} was "Unknown option: '--help'", exit 2; a subcommand's -V
   * printed an empty line.)
   */
  @Test
  void everyCommandTakesHelpAndVersion() {
    String version = run("version").out();
    List<CommandLine> all = new ArrayList<>();
    collectAll(Root.commandLine(), all);
    assertTrue(all.size() >= 20, all.toString());
    for (CommandLine c : all) {
      String name = c.getCommandSpec().qualifiedName();
      List<String> args = new ArrayList<>(List.of(name.split(" ")));
      args.remove(0); // "lockstep"
      args.add("--help");
      Result help = run(args.toArray(String[]::new));
      assertEquals(0, help.status(), args + ": " + help.err());
      assertTrue(help.out().startsWith("Usage: " + name), args + ": " + help.out());
      assertEquals("", help.err(), args.toString());
      args.set(args.size() - 1, "-V");
      assertEquals(new Result(0, version, ""), run(args.toArray(String[]::new)), args.toString());
    }
  }

  private static void collectAll(CommandLine c, List<CommandLine> all) {
    all.add(c);
    c.getSubcommands().values().forEach(sub -> collectAll(sub, all));
  }

  private static void collectParents(CommandLine c, List<CommandLine> parents) {
    if (!c.getSubcommands().isEmpty()) {
      parents.add(c);
      c.getSubcommands().values().forEach(sub -> collectParents(sub, parents));
    }
  }

  /** Each entry of the "Commands:" list of a help text: its first line and its wrapped lines. */
  private static List<String> commandEntries(String help) {
    String commands = help.substring(help.indexOf("Commands:"));
    List<StringBuilder> entries = new ArrayList<>();
    for (String line : commands.lines().skip(1).toList()) {
      if (line.isBlank() || !line.startsWith("  ")) {
        break; // the end of the list: a blank line or the next heading
      }
      if (line.matches("  \\S.*")) {
        entries.add(new StringBuilder(line.strip()));
      } else {
        entries.getLast().append(' ').append(line.strip());
      }
    }
    return entries.stream().map(StringBuilder::toString).toList();
  }

  @Test
  void noArgumentsPrintsUsage() {
    Result r = run();
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("Usage: lockstep "), r.out());
  }

  @Test
  void unknownCommandIsAUsageError() {
    Result r = run("no-such-command");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("no-such-command"), r.err());
  }

  private static Result runWithHome(Path home, String... args) {
    String old = System.getProperty("lockstep.home");
    System.setProperty("lockstep.home", home.toString());
    try {
      return run(args);
    } finally {
      if (old == null) {
        System.clearProperty("lockstep.home");
      } else {
        System.setProperty("lockstep.home", old);
      }
    }
  }

  @Test
  void benchWithoutTheBenchmarksJarNamesThePathAndExits2(@TempDir Path home) {
    Result r = runWithHome(home, "bench", "locks", "--quick");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains(home.resolve(BenchCommand.JAR).toString()), r.err());
  }

  @Test
  void benchRunsTheRunnerJarAndExitsWithItsStatus(@TempDir Path home) throws IOException {
    Path jar = home.resolve(BenchCommand.JAR);
    Files.createDirectories(jar.getParent());
    writeJar(jar, FakeBenchRunner.class);
    Path json = home.resolve("args.txt");

    Result r = runWithHome(home, "bench", "startup", "--quick", "--json", json.toString());

    assertEquals(3, r.status(), r.err());
    assertEquals(
        List.of("startup", "--quick", "--json", json.toString()), Files.readAllLines(json));
  }

  /**
   * A --json FILE the suite could not write once it has run (minutes later) is refused before
   * anything runs: under a regular file, a directory itself. (Failed before: the runner started and
   * the fake one here failed writing, exit 1; the real one wrote its JSON only after the suite.)
   */
  @Test
  void benchRefusesAnUnwritableJsonFileBeforeRunning(@TempDir Path home) throws IOException {
    Path jar = home.resolve(BenchCommand.JAR);
    Files.createDirectories(jar.getParent());
    writeJar(jar, FakeBenchRunner.class);
    Path file = Files.writeString(home.resolve("plain-file"), "x");

    Result underFile =
        runWithHome(home, "bench", "startup", "--json", file.resolve("sub/x.json").toString());
    assertEquals(2, underFile.status(), underFile.err());
    assertTrue(underFile.err().contains(file + " is not a directory"), underFile.err());
    assertTrue(underFile.err().contains("nothing was run"), underFile.err());

    Result directory = runWithHome(home, "bench", "startup", "--json", home.toString());
    assertEquals(2, directory.status(), directory.err());
    assertTrue(directory.err().contains("is a directory"), directory.err());

    assertEquals(null, BenchCommand.unwritable(home.resolve("new/dirs/x.json")));
    assertEquals(null, BenchCommand.unwritable(file));
  }

  /** Writes an executable jar holding just {@code main}. */
  private static void writeJar(Path jar, Class<?> main) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, main.getName());
    String entry = main.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest);
        InputStream in = main.getClassLoader().getResourceAsStream(entry)) {
      out.putNextEntry(new JarEntry(entry));
      in.transferTo(out);
      out.closeEntry();
    }
  }

  @Test
  void benchRunsTheRunnerJarWithTheSameJavaAndPassesTheOptionsOn() {
    BenchCommand bench = new BenchCommand();
    bench.suite = "rwlock";
    bench.quick = true;
    bench.json = Path.of("out.json");
    Path jar = Path.of("/repo/lockstep-benchmarks/target/lockstep-benchmarks.jar");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    assertEquals(
        List.of(
            java,
            "-jar",
            jar.toString(),
            "rwlock",
            "--quick",
            "--json",
            Path.of("out.json").toAbsolutePath().toString()),
        bench.command(jar));
  }

  @Test
  void benchRequiresASuite() {
    Result r = run("bench");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("SUITE"), r.err());
  }
}
