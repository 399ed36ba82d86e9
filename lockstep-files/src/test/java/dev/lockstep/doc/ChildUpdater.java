package dev.lockstep.doc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The child JVM of the multi-process document tests.
 *
 * <ul>
 *   <li>{@code crash PATH [inplace] [acks=FILE]}: creates the document if absent, then increments
 *       {@code counter} forever, printing {@code ack REVISION} (flushed) after each acknowledged
 *       commit, until killed; with {@code acks=FILE} it also appends that line to FILE (a plain
 *       {@code write}: in the page cache, and so readable by the test, however the child dies).
 *       {@code inplace} is the broken variant: the document is rewritten in place instead of
 *       renamed over.
 *   <li>{@code count PATH THREADS UPDATES [nolock]}: THREADS threads each increment {@code counter}
 *       UPDATES times, then it prints {@code done} and exits. {@code nolock} is the broken variant:
 *       a lock that excludes nobody.
 * </ul>
 */
public final class ChildUpdater {
  private ChildUpdater() {}

  public static void main(String[] args) throws Exception {
    Path path = Path.of(args[1]);
    Set<String> flags = Set.of(args).stream().collect(java.util.stream.Collectors.toSet());
    DocumentFiles files = flags.contains("inplace") ? new InPlaceFiles(path) : DocumentFiles.REAL;
    FileDocumentStore.Locks locks =
        flags.contains("nolock") ? NoLock.LOCKS : FileDocumentStore.Locks.REAL;
    try (DocumentStore<ObjectNode> store =
        FileDocumentStore.open(
            path, DocumentCodecs.yaml(), DocumentOptions.defaults(), files, locks)) {
      Versioned<ObjectNode> created =
          store.createIfAbsent((ObjectNode) ChangeLog.JSON.readTree("{\"counter\":0}"));
      if (args[0].equals("crash")) {
        FileChannel acks = null;
        for (String a : args) {
          if (a.startsWith("acks=")) {
            acks =
                FileChannel.open(
                    Path.of(a.substring("acks=".length())),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
          }
        }
        ack(created.revision(), acks);
        while (true) {
          ack(store.update(ChildUpdater::increment).revision(), acks);
        }
      }
      int threads = Integer.parseInt(args[2]);
      int updates = Integer.parseInt(args[3]);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      try {
                        for (int i = 0; i < updates; i++) {
                          store.update(ChildUpdater::increment);
                        }
                      } catch (IOException | InterruptedException | RuntimeException e) {
                        e.printStackTrace(System.out);
                        System.exit(3);
                      }
                    }));
      }
      for (Thread w : workers) {
        w.join();
      }
      System.out.println("done");
      System.out.flush();
    }
  }

  private static void ack(long revision, FileChannel acks) throws IOException {
    if (acks != null) { // first, so that a kill between the two loses the pipe's line only
      ByteBuffer line =
          ByteBuffer.wrap(("ack " + revision + "\n").getBytes(StandardCharsets.UTF_8));
      while (line.hasRemaining()) {
        acks.write(line);
      }
    }
    System.out.println("ack " + revision);
    System.out.flush();
  }

  private static ObjectNode increment(ObjectNode d) {
    return d.put("counter", d.get("counter").asInt() + 1);
  }

  /** Broken on purpose: "renames" over the document by rewriting it in place, in small pieces. */
  private static final class InPlaceFiles implements DocumentFiles {
    private final Path document;

    InPlaceFiles(Path document) {
      this.document = document.toAbsolutePath();
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
      if (!to.getFileName().equals(document.getFileName())) {
        REAL.rename(from, to);
        return;
      }
      byte[] content = REAL.read(from);
      try (FileChannel ch =
          FileChannel.open(
              to,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        for (int i = 0; i < content.length; i += 4) {
          ch.write(ByteBuffer.wrap(content, i, Math.min(4, content.length - i)));
          ch.force(false); // widens the window in which a kill leaves a torn document
        }
      }
      REAL.delete(from);
    }

    @Override
    public byte[] read(Path file) throws IOException {
      return REAL.read(file);
    }

    @Override
    public byte[] readFrom(Path file, long offset) throws IOException {
      return REAL.readFrom(file, offset);
    }

    @Override
    public void create(Path file, byte[] content) throws IOException {
      REAL.create(file, content);
    }

    @Override
    public void sync(Path file) throws IOException {
      REAL.sync(file);
    }

    @Override
    public void link(Path link, Path existing) throws IOException {
      REAL.link(link, existing);
    }

    @Override
    public boolean delete(Path file) throws IOException {
      return REAL.delete(file);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
      REAL.syncDirectory(dir);
    }

    @Override
    public AppendFile openAppend(Path file) throws IOException {
      return REAL.openAppend(file);
    }
  }
}
