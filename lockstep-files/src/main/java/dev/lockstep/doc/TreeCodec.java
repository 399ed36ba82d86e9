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
}
