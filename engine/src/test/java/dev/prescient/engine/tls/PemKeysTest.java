package dev.prescient.engine.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys written by openssl in the formats Helm and cert-manager produce, read back through the JDK. */
class PemKeysTest {

    @TempDir
    Path dir;

    static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s: %s", List.of(cmd), out).isZero();
    }

    static RSAPrivateCrtKey parse(String pkcs8Pem) throws Exception {
        String b64 = pkcs8Pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }

    @Test
    void pkcs1RsaKeyBecomesTheSameKeyInPkcs8() throws Exception {
        run(dir, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "k8.pem");
        run(dir, "openssl", "rsa", "-in", "k8.pem", "-traditional", "-out", "k1.pem");
        String pkcs1 = Files.readString(dir.resolve("k1.pem"));
        assertThat(pkcs1).as("openssl wrote the Helm-style key").contains("BEGIN RSA PRIVATE KEY");

        RSAPrivateCrtKey fromPkcs1 = parse(new String(PemKeys.pkcs8(dir.resolve("k1.pem")).readAllBytes(), StandardCharsets.US_ASCII));
        RSAPrivateCrtKey original = parse(Files.readString(dir.resolve("k8.pem")));
        assertThat(fromPkcs1.getModulus()).isEqualTo(original.getModulus());
        assertThat(fromPkcs1.getPrivateExponent()).isEqualTo(original.getPrivateExponent());
        // A PKCS#8 key passes through unchanged.
        assertThat(parse(new String(PemKeys.pkcs8(dir.resolve("k8.pem")).readAllBytes(), StandardCharsets.US_ASCII))
                .getModulus()).isEqualTo(original.getModulus());
    }

    @Test
    void otherFormatsAreRefusedWithTheConversionToUse() throws Exception {
        run(dir, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.pem");
        assertThatThrownBy(() -> PemKeys.pkcs8(dir.resolve("ec.pem"))).hasMessageContaining("EC PRIVATE KEY")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        Files.writeString(dir.resolve("cert-only.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> PemKeys.pkcs8(dir.resolve("cert-only.pem"))).hasMessageContaining("CERTIFICATE");
        Files.writeString(dir.resolve("empty.pem"), "");
        assertThatThrownBy(() -> PemKeys.pkcs8(dir.resolve("empty.pem"))).hasMessageContaining("no PEM private key");
    }

    @Test
    void theKeyIsFoundBehindACertificateInTheSameFile() throws Exception {
        run(dir, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "k8.pem");
        run(dir, "openssl", "rsa", "-in", "k8.pem", "-traditional", "-out", "k1.pem");
        Files.writeString(dir.resolve("both.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
                + Files.readString(dir.resolve("k1.pem")));
        RSAPrivateCrtKey original = parse(Files.readString(dir.resolve("k8.pem")));
        assertThat(parse(new String(PemKeys.pkcs8(dir.resolve("both.pem")).readAllBytes(), StandardCharsets.US_ASCII))
                .getModulus()).isEqualTo(original.getModulus());
    }
}
