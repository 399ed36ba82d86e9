package dev.lockstep.doc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of document bytes, and this host's name for log lines. */
final class Hashes {
  private Hashes() {}

  static final String HOST = hostName();

  private static final MessageDigest SHA256 = prototype();

  static String sha256(byte[] bytes) {
    MessageDigest digest;
    try {
      digest = (MessageDigest) SHA256.clone(); // cheaper than a provider look-up per call
    } catch (CloneNotSupportedException e) {
      digest = prototype();
    }
    return HexFormat.of().formatHex(digest.digest(bytes));
  }

  private static MessageDigest prototype() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static String hostName() {
    try {
      String name =
          Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
      if (!name.isEmpty()) {
        return name;
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    String env = System.getenv("HOSTNAME");
    return env == null || env.isBlank() ? "localhost" : env;
  }
}
