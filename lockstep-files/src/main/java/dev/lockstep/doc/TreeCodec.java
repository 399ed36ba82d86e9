package dev.lockstep.doc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A codec whose documents are JSON trees, so the change log can hold RFC 6902 patches instead of
 * full content. The trees returned are the caller's: independent of the value, never shared.
 */
interface TreeCodec<T> extends DocumentCodec<T> {

  /** The value as a tree that shares nothing with it. */
  JsonNode tree(T value);

  /**
   * The value a tree describes.
   *
   * @throws InvalidDocumentException if the tree is not a valid document
   */
  T fromTree(JsonNode tree, String source);

  /**
   * Whether {@link #fromTree} returns the tree it is given (an untyped codec): then an operator's
   * input is a {@link LazyTrees} copy, opened only where the operator looks.
   */
  default boolean valueIsTree() {
    return false;
  }

  /**
   * {@link #withRevision}, allowed to set the revision in {@code value} itself: for a value the
   * caller owns outright (the private copy an operator was given and returned).
   */
  default T withRevisionOwned(T value, long revision) {
    return withRevision(value, revision);
  }

  /**
   * The output of a trusted encoder: the bytes, the tree that decoding them gives (the caller must
   * never change it: it may share unchanged nodes with the tree of the {@code previous} output it
   * came from, and later outputs made from this one may share its nodes), and what the encoder may
   * reuse of this output next time (opaque; null: nothing).
   */
  record Encoded(byte[] bytes, JsonNode tree, Object reusable) {
    Encoded(byte[] bytes, JsonNode tree) {
      this(bytes, tree, null);
    }
  }

  /**
   * Encodes {@code value} with an encoder proven (by property tests against this codec's decoder
   * and PyYAML) to read back as the same tree, so the caller may skip decoding the bytes to
   * validate them; or {@code null} when the codec does not promise that for this value (then the
   * caller encodes and decodes to validate, as for any codec). The default trusts nothing; this is
   * an explicit property of the codec, never a guess.
   */
  default Encoded encodeTrusted(T value) {
    return null;
  }

  /**
   * {@link #encodeTrusted(Object)}, allowed to reuse parts of {@code previous} (an earlier output
   * of this codec, or null) that {@code value} has in common with it: the result is the same, only
   * cheaper to get.
   */
  default Encoded encodeTrusted(T value, Encoded previous) {
    return encodeTrusted(value);
  }
}
