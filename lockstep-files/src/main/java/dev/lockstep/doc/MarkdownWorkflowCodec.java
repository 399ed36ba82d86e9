package dev.lockstep.doc;

import java.util.Objects;

/**
 * The {@code markdown} codec: {@link Workflow} documents ({@code STATE.md}). Decoding is strict and
 * reports every problem with its line; encoding reproduces a decoded document byte for byte and
 * renders changed lines canonically. Stateless and thread-safe.
 */
final class MarkdownWorkflowCodec implements DocumentCodec<Workflow> {
  static final MarkdownWorkflowCodec INSTANCE = new MarkdownWorkflowCodec();

  private MarkdownWorkflowCodec() {}

  @Override
  public String format() {
    return "markdown";
  }

  @Override
  public Workflow decode(byte[] content, String source) {
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(source, "source");
    return new MarkdownWorkflowParser().parse(content, source);
  }

  @Override
  public byte[] encode(Workflow value) {
    return MarkdownWorkflowRenderer.render(Objects.requireNonNull(value, "value"));
  }

  @Override
  public long revision(Workflow value) {
    return value.revision();
  }

  @Override
  public Workflow withRevision(Workflow value, long revision) {
    return value.withRevision(revision);
  }

  @Override
  public String toString() {
    return "markdown workflow codec";
  }
}
