// sign_image against NXP's reference outputs that have no recipes.tsv row (the signed
// flashloader, the encrypted images), plus its error messages. Needs RTPROV_VECTORS.

#include "rtprov/hab/sign.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/hab/encrypt.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::hab {
namespace {

namespace fs = std::filesystem;

// The options of the recipes.tsv `sign` rows for SRK n (1-based, as in the file names).
SignSettings reference_settings(const fs::path& v, int n = 1) {
    const fs::path k = v / "hab-keys";
    SignSettings s;
    for (int i = 1; i <= 4; ++i)
        s.srk_certs.push_back(k / fmt::format("crts/SRK{}_sha256_2048_65537_v3_ca_crt.pem", i));
    s.srk_index = static_cast<std::uint32_t>(n - 1);
    s.csf_key = k / fmt::format("keys/CSF{}_1_sha256_2048_65537_v3_usr_key.pem", n);
    s.csf_cert = k / fmt::format("crts/CSF{}_1_sha256_2048_65537_v3_usr_crt.pem", n);
    s.img_key = k / fmt::format("keys/IMG{}_1_sha256_2048_65537_v3_usr_key.pem", n);
    s.img_cert = k / fmt::format("crts/IMG{}_1_sha256_2048_65537_v3_usr_crt.pem", n);
    s.key_password = "SWTestTeam";
    s.signature_time = parse_signature_time("2020-04-08T05:54:33Z");
    return s;
}

Bytes hex_bytes(std::string_view hex) {
    Bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(
            static_cast<std::uint8_t>(std::stoul(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
}

// The nonce NXP used, from the MAC block in the debug log ("nonce=...").
Bytes reference_nonce(const fs::path& log) {
    const std::string text = read_text_file(log);
    const auto pos = text.find("nonce=");
    EXPECT_NE(pos, std::string::npos);
    return hex_bytes(text.substr(pos + 6, text.find('\n', pos) - pos - 6));
}

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(SignGolden, FlashloaderMatchesNxp) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    for (const char* board : {"rt1020-evk", "rt1050-evkb"}) {
        SCOPED_TRACE(board);
        const fs::path dir = *v / board;
        SignSettings s = reference_settings(*v);
        // NXP signed the RT1020 flashloader as if loaded at 0x20000000 (entry kept).
        if (std::string(board) == "rt1020-evk")
            s.image_address = 0x20000000;
        const Bytes input = read_file(dir / "ivt_flashloader.bin");
        EXPECT_TRUE(sign_image(input, "fl", s).data ==
                    read_file(dir / "output/ivt_flashloader_signed.bin"));
        s.padding = false;
        EXPECT_TRUE(sign_image(input, "fl", s).data ==
                    read_file(dir / "output/ivt_flashloader_signed_nopadding.bin"));
    }
}

TEST(SignGolden, EncryptedWithReferenceNonceMatchesNxp) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    for (const char* prefix : {"rt1020-evk/evkmimxrt1020", "rt1050-evkb/evkbimxrt1050"}) {
        SCOPED_TRACE(prefix);
        const std::string p = std::string(prefix);
        const fs::path dir = *v / p.substr(0, p.find('/'));
        const std::string base = p.substr(p.find('/') + 1) + "_iled_blinky_int_RAM";
        SignSettings s = reference_settings(*v);
        s.encrypt = EncryptSettings{
            read_file(*v / "hab-keys/hab_dek.bin"),
            reference_nonce(dir / "debug_logs" / (base + "_encrypted_key1.bin.txt"))};
        const Bytes input = read_file(dir / "output" / (base + "_unsigned.bin"));
        const SignResult r = sign_image(input, "in", s);
        EXPECT_TRUE(r.data == read_file(dir / "output" / (base + "_encrypted_key1.bin")));
        s.padding = false;
        EXPECT_TRUE(sign_image(input, "in", s).data ==
                    read_file(dir / "output" / (base + "_encrypted_key1_nopadding.bin")));
    }
}

TEST(SignGolden, RandomNonceDecryptsBackToTheApp) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    const Bytes input =
        read_file(*v / "rt1050-evkb/output/evkbimxrt1050_iled_blinky_int_RAM_unsigned.bin");
    SignSettings s = reference_settings(*v);
    const Bytes dek = read_file(*v / "hab-keys/hab_dek.bin");
    s.encrypt = EncryptSettings{dek, std::nullopt};
    const SignResult r = sign_image(input, "in", s);
    ASSERT_EQ(r.encrypted_blocks.size(), 1u);
    const Block app = r.encrypted_blocks[0];
    EXPECT_EQ(r.nonce.size(), 13u);
    const std::size_t off = app.address - r.address;
    const Bytes plain = ccm_decrypt(dek, r.nonce, ByteView(r.data).subspan(off, app.length), r.mac);
    Bytes want(input.begin() + static_cast<std::ptrdiff_t>(off), input.end());
    want.resize(app.length, 0);  // the app is padded to 16 bytes before encryption
    EXPECT_TRUE(plain == want);
    EXPECT_EQ(r.key_blob_address, r.csf_address + kCsfSize);
}

TEST(SignErrors, MessagesNameTheProblem) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    const Bytes unsigned_image =
        read_file(*v / "rt1020-evk/output/evkmimxrt1020_iled_blinky_ext_FLASH_unsigned.bin");
    const SignSettings good = reference_settings(*v);

    SignSettings s = good;
    s.csf_key = "/nonexistent/csf_key.pem";
    EXPECT_EQ(error_of([&] { sign_image(unsigned_image, "img", s); }),
              "/nonexistent/csf_key.pem: cannot open: No such file or directory");

    s = good;
    s.key_password = "wrong";
    EXPECT_EQ(error_of([&] { sign_image(unsigned_image, "img", s); }),
              s.csf_key.string() + ": wrong password for the private key");

    s = good;
    s.key_password.reset();
    EXPECT_EQ(error_of([&] { sign_image(unsigned_image, "img", s); }),
              s.csf_key.string() +
                  ": the private key is encrypted and no password was given "
                  "(--key-password-file or RTPROV_KEY_PASSWORD)");

    s = good;
    s.srk_index = 4;
    EXPECT_EQ(error_of([&] { sign_image(unsigned_image, "img", s); }),
              "--srk-index 4 is out of range: the SRK table has 4 keys (0..3)");

    s = good;
    s.img_key = good.csf_key;
    EXPECT_EQ(error_of([&] { sign_image(unsigned_image, "img", s); }),
              good.csf_key.string() + ": the private key does not belong to the certificate " +
                  good.img_cert.string());

    const Bytes signed_image =
        read_file(*v / "rt1020-evk/output/evkmimxrt1020_iled_blinky_ext_FLASH_signed_key1.bin");
    EXPECT_EQ(error_of([&] { sign_image(signed_image, "img", good); }),
              "img: already signed (the IVT points at a CSF at 0x60004000)");

    const Bytes not_an_image(0x3000, 0xFF);
    EXPECT_NE(error_of([&] { sign_image(not_an_image, "img", good); }).find("img: "),
              std::string::npos);
}

// sign_image checks what it signed as the boot ROM would (verify_image against the table it
// signed with): CSF1_1 is issued by SRK 1, so srk_index 1 (SRK 2) makes an image that would not
// boot and is refused; the right index and fast authentication with SRK 2 itself are not.
TEST(SignVerifies, AnSrkThatDidNotIssueTheCsfCertificateIsRefused) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    const Bytes unsigned_image =
        read_file(*v / "rt1020-evk/output/evkmimxrt1020_iled_blinky_ext_FLASH_unsigned.bin");
    SignSettings s = reference_settings(*v);
    s.srk_index = 1;
    try {
        (void)sign_image(unsigned_image, "img", s);
        ADD_FAILURE() << "an image that does not verify was returned";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Verification);
        EXPECT_EQ(std::string(e.what()),
                  "img: the signed image does not verify against its SRK table (srk_index 1): "
                  "Install CSFK: certificate at CSF offset 0x490 "
                  "(CN=CSF1_1_sha256_2048_65537_v3_usr) is not signed by the key in slot 0 "
                  "(SRK); 5 later checks also failed");
    }

    s.srk_index = 0;
    EXPECT_NO_THROW((void)sign_image(unsigned_image, "img", s));

    const fs::path k = *v / "hab-keys";
    s.srk_index = 1;
    s.nocak = true;
    s.csf_key = k / "keys/SRK2_sha256_2048_65537_v3_ca_key.pem";
    s.csf_cert = k / "crts/SRK2_sha256_2048_65537_v3_ca_crt.pem";
    EXPECT_NO_THROW((void)sign_image(unsigned_image, "img", s));
}

TEST(SignatureTime, ParsesUtcIso8601) {
    EXPECT_EQ(parse_signature_time("2020-04-08T05:54:33Z"), 1586325273);
    EXPECT_EQ(parse_signature_time("2020-04-08T05:54:33+00:00"), 1586325273);
    EXPECT_EQ(parse_signature_time("2020-04-08 05:54:33"), 1586325273);
    EXPECT_EQ(parse_signature_time("1970-01-01T00:00:00Z"), 0);
}

TEST(SignatureTime, RejectsOtherText) {
    for (const char* bad :
         {"2020-04-08", "2020-04-08T05:54:33+02:00", "2020-02-30T00:00:00Z", "2020-13-01T00:00:00Z",
          "08/04/2020 05:54:33", "2020-04-08T25:00:00Z"}) {
        EXPECT_EQ(
            error_of([&] { parse_signature_time(bad); }),
            fmt::format("invalid signature time '{}': expected YYYY-MM-DDTHH:MM:SSZ (UTC)", bad));
    }
}

}  // namespace
}  // namespace rtprov::hab
