package dev.lockstep.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lockstep.file.FileLock;
import dev.lockstep.file.FileLockHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/**
 * One durable (or, for the seed's design, not durable) update of a state document, for suite {@code
 * docs}. Peers: the disk's physical limits ({@code fsync-rename}, {@code append-fdatasync}) and the
 * seeds' design re-implemented plainly in Java ({@code seed-style}).
 */
interface DocWriter extends AutoCloseable {

  /** The peers this class implements; {@code lockstep} lives in {@link LockstepDocWriter}. */
  List<String> PEERS = List.of("fsync-rename", "append-fdatasync", "seed-style");

  /** Performs one update. */
  void update() throws Exception;

  @Override
  default void close() throws IOException {}

  /** A 4 KiB YAML state document like the seeds' state.yaml, with a revision and a counter. */
  static String initialYaml() {
    StringBuilder sb = new StringBuilder("revision: 1\ncounter: 0\nworkers:\n");
    int i = 0;
    while (sb.length() < 4096 - 64) {
      sb.append("  worker-")
          .append(i)
          .append(": {status: idle, task: none, note: padding-padding}\n");
      i++;
    }
    return sb.toString();
  }

  static DocWriter create(String impl, Path dir) throws IOException {
    return switch (impl) {
      case "fsync-rename" -> new FsyncRename(dir);
      case "append-fdatasync" -> new AppendFdatasync(dir);
      case "seed-style" -> new SeedStyle(dir);
      default -> throw new IllegalArgumentException("unknown docs impl " + impl);
    };
  }

  /** Write a temp file, fsync it, rename it over the target, fsync the directory. */
  final class FsyncRename implements DocWriter {
    private final Path dir;
    private final Path target;
    private final byte[] content;

    FsyncRename(Path dir) throws IOException {
      this.dir = dir;
      this.target = dir.resolve("state.yaml");
      this.content = initialYaml().getBytes(StandardCharsets.UTF_8);
      Files.write(target, content);
    }

    @Override
    public void update() throws IOException {
      Path tmp = dir.resolve(".state.yaml.tmp");
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
    }
  }

  /** Append a 200-byte record to an open log and fdatasync it. */
  final class AppendFdatasync implements DocWriter {
    private final FileChannel log;
    private final byte[] record = new byte[200];

    AppendFdatasync(Path dir) throws IOException {
      this.log =
          FileChannel.open(
              dir.resolve("changes.jsonl"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND);
      java.util.Arrays.fill(record, (byte) 'x');
      record[record.length - 1] = '\n';
    }

    @Override
    public void update() throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(record);
      while (buf.hasRemaining()) {
        log.write(buf);
      }
      log.force(false);
    }

    @Override
    public void close() throws IOException {
      log.close();
    }
  }

  /**
   * The seeds' design, plainly: flock {@code state.yaml.lock}, load the YAML, bump {@code
   * revision}, copy a backup, write a temp file, rename it over the document. No fsync anywhere, so
   * no durability: a power cut can lose or empty the document.
   */
  final class SeedStyle implements DocWriter {
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    private final Path dir;
    private final Path target;
    private final FileLock lock;

    SeedStyle(Path dir) throws IOException {
      this.dir = dir;
      this.target = dir.resolve("state.yaml");
      Files.writeString(target, initialYaml());
      this.lock = FileLock.of(dir.resolve("state.yaml.lock"));
    }

    @Override
    public void update() throws Exception {
      try (FileLockHandle h = lock.acquire(Duration.ofSeconds(30))) {
        ObjectNode doc = (ObjectNode) yaml.readTree(target.toFile());
        doc.put("revision", doc.get("revision").asLong() + 1);
        doc.put("counter", doc.get("counter").asLong() + 1);
        Files.copy(target, dir.resolve("state.yaml.backup"), StandardCopyOption.REPLACE_EXISTING);
        Path tmp = dir.resolve(".state.yaml.tmp");
        yaml.writeValue(tmp.toFile(), doc);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      }
    }
  }
}
