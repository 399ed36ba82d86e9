package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ARCHITECTURE "Document commits": a caller of a batched update is answered only once its document
 * (the rename, by the directory's fsync) and its log line (the log's fdatasync) are durable. The
 * files here record, as each sync returns, the highest revision it made durable (each sync held
 * back 0-3 ms at random first, so an early answer has time to show); every caller checks its
 * revision against both as soon as its update returns. 8 threads, group commit on, durability FULL.
 *
 * <p>Checked against a broken variant: {@code CommitWriter.commit} not waiting for the directory's
 * fsync (its {@code await} removed) answered callers whose rename was not durable yet.
 */
class AnsweredWhenDurableTest {
  private static final Pattern DOC_REVISION = Pattern.compile("(?m)^revision: (\\d+)$");
  private static final Pattern LINE_REVISION = Pattern.compile("\\{\"revision\":(\\d+),");

  @TempDir Path dir;

  @Test
  void noCallerIsAnsweredBeforeItsDocumentAndLineAreSynced() throws Exception {
    SyncRecordingFiles recorded = new SyncRecordingFiles(dir.resolve("state.yaml"));
    int threads = 8;
    int each = 30;
    try (DocumentStore<ObjectNode> store =
        FileDocumentStore.open(
            dir.resolve("state.yaml"),
            DocumentCodecs.yaml(),
            DocumentOptions.defaults(),
            recorded.files())) {
      store.createIfAbsent((ObjectNode) ChangeLog.JSON.readTree("{\"counter\":0}"));
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          done.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < each; i++) {
                      long revision =
                          store
                              .update(d -> d.put("counter", d.get("counter").asInt() + 1))
                              .revision();
                      long log = recorded.logSynced.get();
                      long document = recorded.documentSynced.get();
                      assertTrue(
                          revision <= log && revision <= document,
                          "revision "
                              + revision
                              + " answered with the log synced to "
                              + log
                              + " and the document's rename to "
                              + document);
                    }
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get(120, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(1 + threads * each, store.read().revision());
    }
  }

  /**
   * The real files, recording the highest revision made durable: by a log sync (the lines appended
   * before it started) and by a directory sync (the renames over the document before it started).
   */
  private static final class SyncRecordingFiles {
    private final Path document;
    final AtomicLong logSynced = new AtomicLong();
    final AtomicLong documentSynced = new AtomicLong();
    private final AtomicLong logAppended = new AtomicLong();
    private final AtomicLong renamed = new AtomicLong();

    SyncRecordingFiles(Path document) {
      this.document = document;
    }

    /** The real files, every call forwarded, with renames, appends and syncs recorded. */
    DocumentFiles files() {
      return forward(
          DocumentFiles.class,
          DocumentFiles.REAL,
          (method, args, call) -> {
            switch (method) {
              case "rename" -> {
                Path to = (Path) args[1];
                long revision =
                    to.equals(document)
                        ? last(DOC_REVISION, Files.readAllBytes((Path) args[0]))
                        : 0;
                call.run();
                renamed.accumulateAndGet(revision, Math::max);
                return null;
              }
              case "syncDirectory" -> {
                return synced(renamed, documentSynced, call);
              }
              case "openAppend" -> {
                DocumentFiles.AppendFile log = (DocumentFiles.AppendFile) call.run();
                return forward(DocumentFiles.AppendFile.class, log, this::logCall);
              }
              default -> {
                return call.run();
              }
            }
          });
    }

    private Object logCall(String method, Object[] args, Call call) throws Throwable {
      switch (method) {
        case "append", "appendAt" -> {
          Object done = call.run();
          byte[] lines = (byte[]) args[args.length - 1];
          logAppended.accumulateAndGet(last(LINE_REVISION, lines), Math::max);
          return done;
        }
        case "sync" -> {
          return synced(logAppended, logSynced, call);
        }
        default -> {
          return call.run();
        }
      }
    }

    /**
     * Runs a sync, holds it back a moment (0-3 ms, at random: either sync may end last, and an
     * early answer has time to show), then records what was there before it started as durable.
     */
    private static Object synced(AtomicLong before, AtomicLong durable, Call call)
        throws Throwable {
      long covered = before.get();
      Object done = call.run();
      LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(3_000_000));
      durable.accumulateAndGet(covered, Math::max);
      return done;
    }

    private static long last(Pattern p, byte[] bytes) {
      long max = 0;
      Matcher m = p.matcher(new String(bytes, StandardCharsets.UTF_8));
      while (m.find()) {
        max = Math.max(max, Long.parseLong(m.group(1)));
      }
      return max;
    }

    /** The forwarded call. */
    @FunctionalInterface
    private interface Call {
      Object run() throws Throwable;
    }

    /** What to do with a call of {@code method}: {@code call.run()} forwards it. */
    @FunctionalInterface
    private interface Handler {
      Object handle(String method, Object[] args, Call call) throws Throwable;
    }

    private static <I> I forward(Class<I> type, I target, Handler handler) {
      return type.cast(
          Proxy.newProxyInstance(
              type.getClassLoader(),
              new Class<?>[] {type},
              (proxy, method, args) ->
                  handler.handle(
                      method.getName(),
                      args,
                      () -> {
                        try {
                          return method.invoke(target, args);
                        } catch (InvocationTargetException e) {
                          throw e.getCause();
                        }
                      })));
    }
  }
}
