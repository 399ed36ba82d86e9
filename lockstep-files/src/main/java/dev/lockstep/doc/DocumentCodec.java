package dev.lockstep.doc;

/**
 * Turns a document's bytes into a value of type {@code T} and back, and reads and writes the
 * revision that lives inside the document.
 *
 * <p><b>Contract.</b>
 *
 * <ul>
 *   <li>{@link #decode} validates: content that is not a well-formed document of this format fails
 *       with an {@link InvalidDocumentException} whose problems carry 1-based line numbers.
 *   <li>{@link #encode} is deterministic, and {@code encode(decode(bytes))} returns {@code bytes}
 *       unchanged whenever the format can promise it (the Markdown workflow codec always does).
 *   <li>{@link #revision} returns {@code 0} for a document that has no revision yet; {@link
 *       #withRevision} returns a copy carrying the given revision and never mutates its argument.
 * </ul>
 *
 * <p><b>Threading.</b> Codecs are immutable and safe to share between threads.
 *
 * @param <T> the document model
 */
public interface DocumentCodec<T> {

  /** Short name of the format, as the CLI's {@code --format} spells it: json, yaml, markdown. */
  String format();

  /**
   * Parses and validates {@code content}.
   *
   * @param content the document's bytes (UTF-8)
   * @param source the file name, used in error messages
   * @throws InvalidDocumentException when the content is not a valid document of this format
   */
  T decode(byte[] content, String source);

  /**
   * Renders {@code value} as UTF-8 bytes.
   *
   * @throws IllegalArgumentException when the value has no form in this format that reads back as
   *     the same value (for JSON and YAML: NaN or an infinite number)
   */
  byte[] encode(T value);

  /** The revision stored in {@code value}, or {@code 0} when it has none. */
  long revision(T value);

  /** A copy of {@code value} carrying {@code revision}. */
  T withRevision(T value, long revision);
}
