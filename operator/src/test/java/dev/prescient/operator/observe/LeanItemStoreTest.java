package dev.prescient.operator.observe;

import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LeanItemStoreTest {

    @Test
    void objectsAreKeptWithoutTheirManagedFieldsAndFoundByName() {
        ReplicatedVolume v = new ReplicatedVolume();
        ManagedFieldsEntry owner = new ManagedFieldsEntry();
        owner.setManager("prescient-operator");
        FieldsV1 fields = new FieldsV1();
        fields.setAdditionalProperty("f:status", Map.of("f:phase", Map.of()));
        owner.setFieldsV1(fields);
        v.setMetadata(new ObjectMetaBuilder().withName("pv-1").withResourceVersion("42")
                .withManagedFields(List.of(owner)).build());
        LeanItemStore<ReplicatedVolume> store = new LeanItemStore<>();
        store.put(store.getKey(v), v);
        ReplicatedVolume kept = store.get("pv-1");
        assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("42");
        assertThat(store.size()).isEqualTo(1);
    }
}
