package dev.prescient.predict.tiering;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockTraceTest {
    static BlockTrace parse(String text, long max) throws IOException {
        return BlockTrace.parse("t", new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), max);
    }

    @Test
    void expandsRequestsToPagesWithDenseIds() throws IOException {
        BlockTrace t = parse("110765 3 0 0\n5 1 0 1\n\n110766 2 0 2\n", Long.MAX_VALUE);
        assertThat(t.requests()).isEqualTo(3);
        assertThat(t.length()).isEqualTo(6);
        assertThat(t.uniquePages()).isEqualTo(4);
        assertThat(t.ids()).containsExactly(0, 1, 2, 3, 1, 2);
        assertThat(t.page(0)).isEqualTo(110765);
        assertThat(t.page(3)).isEqualTo(5);
        assertThat(t.idOf(110767)).isEqualTo(2);
        assertThat(t.idOf(6)).isEqualTo(-1);
        assertThat(t.startsRequest(0)).isTrue();
        assertThat(t.startsRequest(1)).isFalse();
        assertThat(t.startsRequest(3)).isTrue();
        assertThat(t.startsRequest(4)).isTrue();
    }

    @Test
    void prefixStopsInsideARequest() throws IOException {
        BlockTrace t = parse("1 10 0 0\n", 4);
        assertThat(t.length()).isEqualTo(4);
    }

    @Test
    void emptyInputIsAnEmptyTrace() throws IOException {
        BlockTrace t = parse("", Long.MAX_VALUE);
        assertThat(t.length()).isZero();
        assertThat(t.uniquePages()).isZero();
    }

    @Test
    void badLinesNameFileAndLine() {
        assertThatThrownBy(() -> parse("1 1 0 0\n7\n", Long.MAX_VALUE))
                .isInstanceOf(TraceFormatException.class).hasMessageContaining("t:2");
        assertThatThrownBy(() -> parse("1 0 0 0\n", Long.MAX_VALUE))
                .isInstanceOf(TraceFormatException.class).hasMessageContaining("bad block range");
    }
}
