package dev.lockstep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockstep.doc.Change;
import dev.lockstep.doc.DocumentOptions;
import dev.lockstep.doc.DocumentStore;
import dev.lockstep.doc.Finding;
import dev.lockstep.doc.InvalidDocumentException;
import dev.lockstep.doc.RecoveryReport;
import dev.lockstep.doc.RevisionNotFoundException;
import dev.lockstep.doc.StaleRevisionException;
import dev.lockstep.doc.VerifyReport;
import dev.lockstep.doc.Versioned;
import dev.lockstep.lock.LockTimeoutException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep doc …}: read and change durable state documents (JSON, YAML, Markdown workflows)
 * from the shell, with the same lock, revisions, backups and change log as {@code DocumentStore}.
 * Only parsing and printing live here.
 */
@Command(
    name = "doc",
    mixinStandardHelpOptions = true,
    description = {
      "Durable state documents (.json, .yaml/.yml, .md workflows): read, change, audit, repair.",
      "Changes take FILE.lock (flock, as Python filelock does), bump the revision inside the"
          + " document, keep backups FILE.backup.1..3 and append to FILE.changes.jsonl, fsync'd."
    },
    subcommands = {
      DocCommand.Get.class,
      DocCommand.Set.class,
      DocCommand.Incr.class,
      DocCommand.History.class,
      DocCommand.Show.class,
      DocCommand.Restore.class,
      DocCommand.Verify.class,
      DocCommand.Recover.class
    },
    exitCodeListHeading = "%nExit status (all subcommands):%n",
    exitCodeList = {
      "  0:ok",
      "  1:verify/recover found problems (the report says which), or a file could not be"
          + " written (the message names it)",
      "  2:usage error (bad option, KEY or VALUE)",
      "  3:stale revision (--expect-revision no longer holds)",
      " 65:invalid document (with line numbers)",
      " 66:FILE (for every subcommand, verify included) or the revision asked for does not"
          + " exist, or FILE cannot be read",
      " 74:verify could not check (FILE.lock exists but cannot be opened, or another I/O"
          + " error; the message names the file)",
      " 75:lock timeout (the holder's pid when known)"
    })
final class DocCommand implements Runnable {
  /**
   * A finding's kind as {@code verify} and {@code recover} both print it: {@code torn-log-tail}.
   */
  static String kind(Finding f) {
    return f.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  static final int PROBLEMS = 1;
  static final int USAGE = 2;
  static final int STALE = 3;
  static final int EX_DATAERR = 65;
  static final int EX_NOINPUT = 66;
  static final int EX_IOERR = 74;
  static final int EX_TEMPFAIL = 75;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** What every subcommand shares: FILE, --format, --timeout, and turning failures into status. */
  abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The document (.json, .yaml, .md).")
    Path file;

    @Option(
        names = "--format",
        paramLabel = "FORMAT",
        description = "json, yaml or markdown (default: from FILE's extension).")
    String format;

    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        description =
            "How long to wait for FILE.lock in all (e.g. 500ms, 10s, PT1M). Default: 10 s"
                + " per attempt, 3 retries with backoff from 0.5 s, at most 2 min.")
    String timeout;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }

    @Override
    public final Integer call() {
      String name = "lockstep doc " + spec.name();
      DocModel<?> model;
      try {
        model = DocModel.of(file, format);
      } catch (IllegalArgumentException e) {
        return fail(USAGE, name + ": " + e.getMessage());
      }
      if (Files.isDirectory(file)) {
        return fail(EX_NOINPUT, name + ": " + file + ": is a directory, not a document");
      }
      Path notDirectory = notDirectory(file);
      if (notDirectory != null) {
        // FILE cannot exist, nor be created: say why (the store's own error names only the file)
        return fail(EX_NOINPUT, name + ": " + file + ": " + notDirectory + " is not a directory");
      }
      try {
        DocumentOptions options = DocumentOptions.defaults().withOwner("lockstep-cli");
        if (timeout != null) {
          Duration d = LockCommand.parseDuration(timeout);
          if (d == null) {
            throw new IllegalArgumentException(
                "--timeout must be a duration such as 10s, 500ms or PT10S, was '" + timeout + "'");
          }
          // --timeout bounds the whole wait: one attempt, no retries after it.
          options = options.withLockTimeout(d).withRetries(0, Duration.ZERO, Duration.ZERO, d);
        }
        return run(model, options);
      } catch (IllegalArgumentException e) {
        return fail(USAGE, name + ": " + e.getMessage());
      } catch (StaleRevisionException e) {
        return fail(STALE, name + ": " + e.getMessage());
      } catch (InvalidDocumentException e) {
        return fail(EX_DATAERR, name + ": " + e.getMessage());
      } catch (LockTimeoutException e) {
        // the library's message gives the last attempt's remaining time as an ISO duration
        String waited = timeout == null ? "10 s per attempt, 3 retries" : "--timeout " + timeout;
        return fail(
            EX_TEMPFAIL,
            name
                + ": "
                + e.key()
                + " is locked"
                + (e.holder() == null ? "" : " by " + e.holder())
                + "; gave up after "
                + waited);
      } catch (NoSuchFileException e) {
        String why = e.getReason() == null ? "" : " (" + e.getReason() + ")";
        return fail(EX_NOINPUT, name + ": " + e.getFile() + ": no such file" + why);
      } catch (RevisionNotFoundException e) {
        return fail(EX_NOINPUT, name + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return fail(1, name + ": interrupted");
      } catch (AccessDeniedException e) {
        return fail(EX_NOINPUT, name + ": " + e.getFile() + ": permission denied");
      } catch (IOException e) {
        return failed(name, about(Problems.describe(e)));
      } catch (RuntimeException e) {
        return fail(1, name + ": " + about(Problems.describe(e)));
      } finally {
        out().flush();
      }
    }

    /** The nearest existing ancestor of {@code file} when it is not a directory, else null. */
    static Path notDirectory(Path file) {
      for (Path p = file.getParent(); p != null; p = p.getParent()) {
        if (Files.exists(p)) {
          return Files.isDirectory(p) ? null : p;
        }
      }
      return null;
    }

    /** {@code message}, after FILE unless it names a file (the lock file, a backup...) itself. */
    private String about(String message) {
      return message.contains(file.toString()) ? message : file + ": " + message;
    }

    int fail(int status, String message) {
      out().flush();
      err().println(message);
      err().flush();
      return status;
    }

    /** Status and message for an I/O failure ({@code what} names the file): 1 by default. */
    int failed(String name, String what) {
      return fail(1, name + ": " + what);
    }

    abstract <T> int run(DocModel<T> model, DocumentOptions options)
        throws IOException, InterruptedException;

    /**
     * Commits {@code change}: an update of the existing document, or its creation (revision 1) from
     * the format's empty document when FILE does not exist yet.
     */
    static <T> Versioned<T> change(
        DocumentStore<T> store, DocModel<T> model, UnaryOperator<T> change)
        throws IOException, InterruptedException {
      while (true) {
        if (Files.exists(store.path())) {
          return store.update(change);
        }
        T empty = empty(store, model);
        try {
          return store.compareAndSet(0, change.apply(empty));
        } catch (StaleRevisionException raced) {
          // Another writer created it meanwhile: apply the change to theirs.
        }
      }
    }

    /** FILE does not exist; its change log, if any, reaches {@code logged}. */
    static NoSuchFileException missing(Path file, long logged) {
      return new NoSuchFileException(
          file.toString(),
          null,
          logged == 0
              ? "and no change log"
              : "its change log reaches revision "
                  + logged
                  + ": doc restore --revision "
                  + logged
                  + " brings it back");
    }

    /** The content a missing FILE starts from; NoSuchFileException if its format has none. */
    static <T> T empty(DocumentStore<T> store, DocModel<T> model) throws NoSuchFileException {
      return model
          .empty()
          .orElseThrow(
              () ->
                  new NoSuchFileException(
                      store.path().toString(),
                      null,
                      "a "
                          + model.codec().format()
                          + " document is not created by set or incr:"
                          + " write it first"));
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = {
        "Print the document, or the value at KEY.",
        "KEY is a dotted path: workers.w1.status, items.0. Trees print as one line of JSON, text"
            + " plainly, other scalars as JSON spells them."
      })
  static final class Get extends Base {
    @Parameters(index = "1", arity = "0..1", paramLabel = "KEY", description = "Dotted path.")
    String key;

    @Override
    <T> int run(DocModel<T> model, DocumentOptions options) throws IOException {
      try (DocumentStore<T> store = DocumentStore.open(file, model.codec(), options)) {
        Versioned<T> v = store.read();
        JsonNode view = model.view(v.value());
        JsonNode node = key == null ? view : DocPath.get(view, key);
        if (node == null) {
          return fail(EX_NOINPUT, "lockstep doc get: " + file + ": no key '" + key + "'");
        }
        out().println(DocPath.print(node));
        return 0;
      }
    }
  }

  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description = {
        "Set KEY=VALUE in one commit and print the new revision.",
        "VALUE is read as YAML, as in a YAML FILE (YAML 1.1, as PyYAML reads it): 3, true,"
            + " yes, null, 1:30 (90), [a, b], {\"a\": 1}, text; 1e3 and '3' are text; a"
            + " date, .inf or .nan is refused (quote it to keep text). Creates a JSON or YAML FILE"
            + " (revision 1) when missing. Markdown workflows (which must exist) take title,"
            + " status (Wave N/M), started, updated."
      })
  static final class Set extends Base {
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY=VALUE")
    List<String> assignments = new ArrayList<>();

    @Option(
        names = "--expect-revision",
        paramLabel = "N",
        description =
            "Commit only if the document is still at revision N (0: does not exist yet, or"
                + " has no"
                + " revision).")
    Long expectRevision;

    @Override
    <T> int run(DocModel<T> model, DocumentOptions options)
        throws IOException, InterruptedException {
      if (expectRevision != null && expectRevision < 0) {
        throw new IllegalArgumentException(
            "--expect-revision must be 0 (FILE does not exist yet) or more, not " + expectRevision);
      }
      List<String[]> pairs = new ArrayList<>();
      for (String a : assignments) {
        int eq = a.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("expected KEY=VALUE, got '" + a + "'");
        }
        DocPath.segments(a.substring(0, eq));
        pairs.add(new String[] {a.substring(0, eq), a.substring(eq + 1)});
      }
      UnaryOperator<T> change =
          value -> {
            T v = value;
            for (String[] p : pairs) {
              v = model.set(v, p[0], p[1]);
            }
            return v;
          };
      try (DocumentStore<T> store = DocumentStore.open(file, model.codec(), options)) {
        Versioned<T> committed;
        if (expectRevision != null) {
          // The change applies to FILE as it is (a file without a revision is at revision 0),
          // or, for 0 and no FILE, to the format's empty document.
          T base;
          if (expectRevision == 0 && !Files.exists(file)) {
            base = empty(store, model);
          } else {
            Versioned<T> current = store.read();
            if (current.revision() != expectRevision) {
              throw new StaleRevisionException(file, expectRevision, current.revision());
            }
            base = current.value();
          }
          committed = store.compareAndSet(expectRevision, change.apply(base));
        } else {
          committed = change(store, model, change);
        }
        out().println(committed.revision());
        return 0;
      }
    }
  }

  @Command(
      name = "incr",
      mixinStandardHelpOptions = true,
      description = {
        "Add N (default 1) to the integer at KEY in one commit; print the new value.",
        "An absent KEY counts as 0. With --repeat, one commit per increment, each committed"
            + " value printed as soon as it is durable."
      })
  static final class Incr extends Base {
    @Parameters(index = "1", paramLabel = "KEY", description = "Dotted path to an integer.")
    String key;

    @Option(names = "--by", paramLabel = "N", description = "Amount to add (default 1).")
    long by = 1;

    @Option(
        names = "--repeat",
        paramLabel = "N",
        description = "Increment N times, one commit each (default 1).")
    int repeat = 1;

    @Override
    <T> int run(DocModel<T> model, DocumentOptions options)
        throws IOException, InterruptedException {
      if (repeat < 1) {
        throw new IllegalArgumentException("--repeat must be at least 1, not " + repeat);
      }
      DocPath.segments(key);
      try (DocumentStore<T> store = DocumentStore.open(file, model.codec(), options)) {
        for (int i = 0; i < repeat; i++) {
          Versioned<T> committed = change(store, model, v -> model.incr(v, key, by));
          out().println(DocPath.print(DocPath.get(model.view(committed.value()), key)));
          out().flush();
        }
        return 0;
      }
    }
  }

  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description = "List the change log: revision, time, operation, owner, pid@host, SHA-256.")
  static final class History extends Base {
    @Option(names = "--limit", paramLabel = "N", description = "Only the last N changes.")
    Integer limit;

    @Override
    <T> int run(DocModel<T> model, DocumentOptions options) throws IOException {
      try (DocumentStore<T> store = DocumentStore.open(file, model.codec(), options)) {
        if (limit != null && limit < 1) {
          throw new IllegalArgumentException("--limit must be at least 1, not " + limit);
        }
        List<Change> changes = limit == null ? store.history() : store.recentChanges(limit);
        if (changes.isEmpty() && !Files.exists(file)) {
          throw missing(file, 0);
        }
        for (Change c : changes) {
          out()
              .printf(
                  "%d\t%s\t%s\t%s\t%d@%s\t%s%n",
                  c.revision(),
                  c.time(),
                  c.operation().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                  c.owner() == null || c.owner().isEmpty() ? "-" : c.owner(),
                  c.pid(),
                  c.host(),
                  c.sha256().substring(0, Math.min(12, c.sha256().length())));
        }
        return 0;
      }
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print the document as it was at a revision, rebuilt from the change log.")
  static final class Show extends Base {
    @Option(names = "--revision", paramLabel = "N", required = true, description = "Revision.")
    long revision;

    @Override
    <T> int run(DocModel<T> model, DocumentOptions options) throws IOException {
      try (DocumentStore<T> store = DocumentStore.open(file, model.codec(), options)) {
        Versioned<T> v = store.at(revision);
        out().print(new String(model.codec().encode(v.value()), StandardCharsets.UTF_8));
        return 0;
      }
    }
  }

  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      description = "Commit the document as it was at revision N as a new revision; print it.")
  static final class Restore extends Base {
    @Option(names = "--revision", paramLabel = "N", required = true, description = "Revision.")
    long revision;

    @Override
    <T> int run(DocModel<T> model, DocumentOptions options)
        throws IOException, InterruptedException {
      try (DocumentStore<T> store = DocumentStore.open(file, model.codec(), options)) {
        out().println(store.restore(revision).revision());
        return 0;
      }
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Check that document, backups and change log agree; change nothing.",
        "Prints what a crash or another program left: temp files, a torn log line, unlogged or"
            + " external edits. Creates nothing, not FILE.lock either: without one, no writer that"
            + " locks has written, so the check runs without it. Exit 1 when it finds problems, 74"
            + " when it cannot check."
      })
  static final class Verify extends Base {
    @Override
    <T> int run(DocModel<T> model, DocumentOptions options)
        throws IOException, InterruptedException {
      try (DocumentStore<T> store = DocumentStore.open(file, model.codec(), options)) {
        VerifyReport report = store.verify();
        if (report.ok() && !Files.exists(file)) {
          throw missing(file, report.loggedRevision());
        }
        if (report.ok()) {
          out().println(file + ": ok at revision " + report.documentRevision());
          return 0;
        }
        out()
            .println(
                file
                    + ": "
                    + report.findings().size()
                    + " problem(s); document at revision "
                    + report.documentRevision()
                    + ", log at "
                    + report.loggedRevision());
        print(report.findings(), "");
        return PROBLEMS;
      }
    }

    /** 1 means problems found, so a check that could not be made exits 74 instead. */
    @Override
    int failed(String name, String what) {
      return fail(EX_IOERR, name + ": could not verify " + file + ": " + what);
    }

    void print(List<Finding> findings, String prefix) {
      for (Finding f : findings) {
        out()
            .println(
                "  "
                    + prefix
                    + kind(f)
                    + (f.repairable() ? " (repairable)" : "")
                    + ": "
                    + f.file()
                    + ": "
                    + f.message());
      }
    }
  }

  @Command(
      name = "recover",
      mixinStandardHelpOptions = true,
      description = {
        "Repair what verify reports as repairable; report the rest.",
        "Repairable: temp files, a torn log tail, an unlogged commit, an external edit. The rest"
            + " is reported without touching the document."
      })
  static final class Recover extends Base {
    @Override
    <T> int run(DocModel<T> model, DocumentOptions options)
        throws IOException, InterruptedException {
      try (DocumentStore<T> store = DocumentStore.open(file, model.codec(), options)) {
        RecoveryReport report = store.recover();
        if (report.repaired().isEmpty() && report.unrepaired().isEmpty() && !Files.exists(file)) {
          List<Change> last = store.recentChanges(1);
          throw missing(file, last.isEmpty() ? 0 : last.get(0).revision());
        }
        for (Finding f : report.repaired()) {
          out().println("repaired " + kind(f) + ": " + f.file() + ": " + f.message());
        }
        for (Finding f : report.unrepaired()) {
          out().println("NOT repaired " + kind(f) + ": " + f.file() + ": " + f.message());
        }
        if (report.repaired().isEmpty() && report.unrepaired().isEmpty()) {
          out().println(file + ": nothing to repair");
        }
        return report.clean() ? 0 : PROBLEMS;
      }
    }
  }
}
