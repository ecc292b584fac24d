package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class SmartProbeTest {
    @Test
    void parsesSmartctlJson() throws Exception {
        // Shape of `smartctl --json -a /dev/sda` (smartmontools 7.x), trimmed to the fields we read.
        String json = """
            {"model_name":"ACME SSD 1TB","smart_status":{"passed":false},
             "power_on_time":{"hours":31000},"temperature":{"current":41},
             "ata_smart_attributes":{"table":[
               {"id":5,"name":"Reallocated_Sector_Ct","value":90,"thresh":10,"raw":{"value":124}},
               {"id":197,"name":"Current_Pending_Sector","value":100,"thresh":0,"raw":{"value":3}}]}}
            """;
        var d = SmartProbe.parse("/dev/sda", new ObjectMapper().readTree(json)).orElseThrow();
        assertThat(d.getModel()).isEqualTo("ACME SSD 1TB");
        assertThat(d.getSmartPassed()).isFalse();
        assertThat(d.getPowerOnHours()).isEqualTo(31000);
        assertThat(d.getTemperatureCelsius()).isEqualTo(41);
        assertThat(d.getAttributesList()).extracting(a -> a.getId() + ":" + a.getRawValue()).containsExactly("5:124", "197:3");
    }

    @Test
    void documentWithoutSmartStatusIsNoDevice() throws Exception {
        assertThat(SmartProbe.parse("/dev/vda", new ObjectMapper().readTree("{\"smartctl\":{\"exit_status\":1}}"))).isEmpty();
    }
}
