package dev.prescient.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AtomicBitmapTest {
    @Test
    void rangesAndSearches() {
        AtomicBitmap b = new AtomicBitmap(300);
        assertThat(b.setRange(60, 130)).isTrue();
        assertThat(b.setRange(70, 80)).isFalse();
        assertThat(b.cardinality()).isEqualTo(70);
        assertThat(b.nextSetBit(0)).isEqualTo(60);
        assertThat(b.nextClearBit(60)).isEqualTo(130);
        b.clearRange(64, 128);
        assertThat(b.nextSetBit(64)).isEqualTo(128);
        assertThat(b.nextSetBit(130)).isEqualTo(-1);
        assertThat(b.nextClearBit(299)).isEqualTo(299);
        b.set(299);
        assertThat(b.nextClearBit(299)).isEqualTo(300);
        AtomicBitmap d = b.drain();
        assertThat(b.cardinality()).isZero();
        assertThat(d.cardinality()).isEqualTo(7);
        b.or(d);
        assertThat(b.get(299)).isTrue();
    }
}
