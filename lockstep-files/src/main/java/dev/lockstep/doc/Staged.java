package dev.lockstep.doc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The document as a batch sees it between two commits: its bytes, hash and revision, the revision
 * floor the next commit builds on ({@code max(document, log)}), and optionally its decoded value
 * and tree. The value is handed out at most once ({@link #take}) because its taker may mutate it;
 * the tree is never handed out (a value rebuilt from it is built from a copy).
 */
final class Staged<T> {
  final byte[] bytes; // null: the document does not exist
  String sha; // set after the batch's log lines are computed (BatchLines) for a committed state
  final long revision;
  final long floor;
  private T value;
  JsonNode tree;

  /** The trusted encoder's output that gave {@link #bytes}, for the next encoding to reuse. */
  TreeCodec.Encoded encoded;

  /** Why the document does not decode, or null; then {@link #invalidLine} logs its content. */
  final InvalidDocumentException invalid;

  /** The external-edit line for invalid content, written only if a commit replaces it. */
  final byte[] invalidLine;

  Staged(byte[] bytes, String sha, long revision, long floor, T value, JsonNode tree) {
    this(bytes, sha, revision, floor, value, tree, null, null);
  }

  Staged(
      byte[] bytes,
      String sha,
      long revision,
      long floor,
      T value,
      JsonNode tree,
      InvalidDocumentException invalid,
      byte[] invalidLine) {
    this.bytes = bytes;
    this.sha = sha;
    this.revision = revision;
    this.floor = floor;
    this.value = value;
    this.tree = tree;
    this.invalid = invalid;
    this.invalidLine = invalidLine;
  }

  boolean exists() {
    return bytes != null;
  }

  /** The decoded value, which from now on belongs to the caller; null if not decoded (or taken). */
  T take() {
    T v = value;
    value = null;
    return v;
  }

  Staged<T> withFloor(long newFloor) {
    Staged<T> s = new Staged<>(bytes, sha, revision, newFloor, value, tree);
    s.encoded = encoded;
    value = null;
    return s;
  }
}
