// Keys in a hardware token, with SoftHSM2 as the token: NXP's test keys imported with the token's
// own tool (softhsm2-util, after openssl has decrypted them), then every sign recipe of
// recipes.tsv run with PKCS#11 URIs in place of the key files must give NXP's reference output
// byte for byte (RSA PKCS#1 v1.5 is deterministic). A project signs through the token, its
// package signed with a token key verifies with the key's certificate, and PINs show nowhere.

#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli_support.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPin = "40917";
constexpr const char* kToken = "rtprov-test";

std::string module_path() {
    for (const char* p :
         {"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"})
        if (fs::exists(p))
            return p;
    return {};
}

// One token directory for the suite: SOFTHSM2_CONF points at it for rtprov's runs too.
class Pkcs11 : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        skip_ = {};
        const auto v = vectors_dir();
        if (!v) {
            skip_ = "RTPROV_VECTORS is not set: the NXP keys to import are not there";
            return;
        }
        if (module_path().empty() || run_command("command -v softhsm2-util").exit_code != 0) {
            skip_ = "softhsm2 is not installed (scripts/install-deps installs it)";
            return;
        }
        vectors_ = *v;
        dir_ = new TempDir;
        fs::create_directories(*dir_ / "tokens");
        write_text(*dir_ / "softhsm2.conf",
                   fmt::format("directories.tokendir = {}\nobjectstore.backend = file\n"
                               "log.level = ERROR\n",
                               (*dir_ / "tokens").string()));
        ::setenv("SOFTHSM2_CONF", (*dir_ / "softhsm2.conf").c_str(), 1);
        const auto init = run_command(fmt::format(
            "softhsm2-util --init-token --free --label {} --pin {} --so-pin 5678", kToken, kPin));
        ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
        write_text(*dir_ / "pin.txt", std::string(kPin) + "\n");
        // Every CSF and IMG key of the hab-keys set, labelled with its file's stem.
        for (const auto& entry : fs::directory_iterator(vectors_ / "hab-keys/keys")) {
            const std::string name = entry.path().filename().string();
            if (!name.ends_with("_usr_key.pem"))
                continue;
            const std::string stem = entry.path().stem().string();
            const fs::path plain = *dir_ / (stem + ".p8");
            const auto r = run_command(fmt::format(
                "openssl pkcs8 -topk8 -nocrypt -in '{}' -passin 'file:{}' -out '{}' && "
                "softhsm2-util --import '{}' --token {} --label {} --id {:04x} --pin {}",
                entry.path().string(), (vectors_ / "hab-keys/keys/key_pass.txt").string(),
                plain.string(), plain.string(), kToken, stem, ++ids_, kPin));
            ASSERT_EQ(r.exit_code, 0) << name << ": " << r.out << r.err;
            fs::remove(plain);
        }
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    void SetUp() override {
        if (!skip_.empty())
            GTEST_SKIP() << skip_;
    }

    // The URI of the token key imported from `key_file` (a path of hab-keys/keys).
    static std::string uri_of(const std::string& key_file, const std::string& query) {
        return fmt::format("pkcs11:token={};object={};type=private?module-path={}{}", kToken,
                           fs::path(key_file).stem().string(), module_path(), query);
    }
    static fs::path pin_file() { return *dir_ / "pin.txt"; }

    static inline std::string skip_;
    static inline fs::path vectors_;
    static inline TempDir* dir_ = nullptr;
    static inline unsigned ids_ = 0;
};

struct Recipe {
    std::string name, expected, command;
};

std::vector<Recipe> sign_recipes(const fs::path& vectors) {
    std::ifstream in(vectors / "recipes.tsv");
    std::vector<Recipe> out;
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::string name, capability, expected, command;
        std::getline(fields, name, '\t');
        std::getline(fields, capability, '\t');
        std::getline(fields, expected, '\t');
        std::getline(fields, command);
        if (capability == "sign")
            out.push_back({name, expected, command});
    }
    return out;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
        text.replace(at, from.size(), to);
    return text;
}

// --csf-key FILE and --img-key FILE of a recipe, each turned into its token key's URI.
std::string with_token_keys(const std::string& command,
                            const std::function<std::string(const std::string&)>& uri_of) {
    std::string out = command;
    for (const char* option : {"--csf-key ", "--img-key "}) {
        const std::size_t at = out.find(option);
        if (at == std::string::npos)
            continue;
        const std::size_t start = at + std::strlen(option);
        const std::size_t end = std::min(out.find(' ', start), out.size());
        const std::string file = out.substr(start, end - start);
        out.replace(start, end - start, "'" + uri_of(file) + "'");
    }
    return out;
}

TEST_F(Pkcs11, EverySignRecipeReproducesNxpOutputWithTheKeysInTheToken) {
    const auto recipes = sign_recipes(vectors_);
    ASSERT_EQ(recipes.size(), 12u);
    TempDir t;
    int n = 0;
    for (const auto& r : recipes) {
        // Half the recipes take the PIN from a pin-source file, half from $RTPROV_PKCS11_PIN.
        const bool from_file = n++ % 2 == 0;
        const std::string query = from_file ? "&pin-source=" + pin_file().string() : "";
        std::string command = with_token_keys(
            r.command, [&](const std::string& file) { return uri_of(file, query); });
        command = replaced(command, " --key-password-file $V/hab-keys/keys/key_pass.txt", "");
        command = replaced(command, "$RTPROV", kRtprov);
        command = replaced(command, "$V", vectors_.string());
        command = replaced(command, "$OUT", (t / "out.bin").string());
        ASSERT_NE(command.find("pkcs11:"), std::string::npos) << r.name;
        ASSERT_EQ(command.find("_key.pem"), std::string::npos) << r.name << ": " << command;
        const std::string env = from_file ? "" : fmt::format("RTPROV_PKCS11_PIN={} ", kPin);
        const auto run = run_command(env + command);
        ASSERT_EQ(run.exit_code, 0) << r.name << "\n" << command << "\n" << run.err;
        EXPECT_EQ(read_file(t / "out.bin"), read_file(vectors_ / r.expected)) << r.name;
        EXPECT_EQ((run.out + run.err).find(kPin), std::string::npos) << r.name;
    }
}

// A project whose HAB keys are token keys, packaged and signed with a token key: the package
// verifies with that key's certificate (a file, not the token), and holds no PIN.
TEST_F(Pkcs11, APackageSignedWithATokenKeyVerifiesWithItsCertificate) {
    TempDir t;
    const fs::path project = copy_example(t.path());
    const std::string pin_query = "&pin-source=" + pin_file().string();
    const std::string crts = (vectors_ / "hab-keys/crts").string();
    std::string text = read_text_file(project);
    text += fmt::format(
        "hab:\n"
        "  srk_certs: [{0}/SRK1_sha256_2048_65537_v3_ca_crt.pem, "
        "{0}/SRK2_sha256_2048_65537_v3_ca_crt.pem]\n"
        "  csf_key: \"{1}\"\n"
        "  csf_cert: {0}/CSF1_1_sha256_2048_65537_v3_usr_crt.pem\n"
        "  img_key: \"{2}\"\n"
        "  img_cert: {0}/IMG1_1_sha256_2048_65537_v3_usr_crt.pem\n"
        "  signature_time: 2024-01-31T12:00:00Z\n",
        crts, uri_of("CSF1_1_sha256_2048_65537_v3_usr_key.pem", pin_query),
        uri_of("IMG1_1_sha256_2048_65537_v3_usr_key.pem", pin_query));
    write_text(project, text);
    const std::string sign_key = uri_of("CSF2_1_sha256_2048_65537_v3_usr_key.pem", pin_query);
    const auto exported = rtprov(fmt::format("export-pkg -c {} -o {} --sign-key '{}'",
                                             project.string(), (t / "p.zip").string(), sign_key));
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    // The same project signed with the key files gives the same image: the token signed it.
    const std::string keys = (vectors_ / "hab-keys/keys").string();
    std::string file_text =
        replaced(text, "\"" + uri_of("CSF1_1_sha256_2048_65537_v3_usr_key.pem", pin_query) + "\"",
                 keys + "/CSF1_1_sha256_2048_65537_v3_usr_key.pem");
    file_text = replaced(file_text,
                         "\"" + uri_of("IMG1_1_sha256_2048_65537_v3_usr_key.pem", pin_query) + "\"",
                         keys + "/IMG1_1_sha256_2048_65537_v3_usr_key.pem");
    file_text += "  key_password_file: " + keys + "/key_pass.txt\n";
    write_text(t / "files.yaml", file_text);
    ASSERT_EQ(rtprov(fmt::format("build -c {} -o {}", (t / "files.yaml").string(),
                                 (t / "files.bin").string()))
                  .exit_code,
              0);
    ASSERT_EQ(rtprov(fmt::format("build -c {} -o {}", project.string(), (t / "token.bin").string()))
                  .exit_code,
              0);
    EXPECT_EQ(read_file(t / "token.bin"), read_file(t / "files.bin"));

    const auto trusted =
        rtprov(fmt::format("import-pkg {} --trust-key {}/CSF2_1_sha256_2048_65537_v3_usr_crt.pem",
                           (t / "p.zip").string(), crts));
    EXPECT_EQ(trusted.exit_code, 0) << trusted.err;
    const auto other =
        rtprov(fmt::format("import-pkg {} --trust-key {}/CSF1_1_sha256_2048_65537_v3_usr_crt.pem",
                           (t / "p.zip").string(), crts));
    EXPECT_EQ(other.exit_code, 4) << other.err;
    // The token key's own URI names the trusted key as well.
    EXPECT_EQ(
        rtprov(fmt::format("import-pkg {} --trust-key '{}'", (t / "p.zip").string(), sign_key))
            .exit_code,
        0);
    const Bytes zip = read_file(t / "p.zip");
    EXPECT_EQ(std::string(zip.begin(), zip.end()).find(kPin), std::string::npos);
}

TEST_F(Pkcs11, ErrorsNameWhatIsWrongAndNeverShowThePin) {
    TempDir t;
    const std::string crts = (vectors_ / "hab-keys/crts").string();
    const std::string base = fmt::format(
        "sign --image {}/rt1020-evk/output/evkmimxrt1020_iled_blinky_ext_FLASH_unsigned.bin "
        "--srk-certs {}/SRK1_sha256_2048_65537_v3_ca_crt.pem --csf-cert "
        "{}/CSF1_1_sha256_2048_65537_v3_usr_crt.pem --img-cert "
        "{}/IMG1_1_sha256_2048_65537_v3_usr_crt.pem --img-key '{}' -o {} --csf-key ",
        vectors_.string(), crts, crts, crts,
        uri_of("IMG1_1_sha256_2048_65537_v3_usr_key.pem", "&pin-source=" + pin_file().string()),
        (t / "out.bin").string());
    const std::string csf = "CSF1_1_sha256_2048_65537_v3_usr_key.pem";

    const auto wrong = rtprov(base + "'" + uri_of(csf, "&pin-value=99999") + "'");
    EXPECT_EQ(wrong.exit_code, 2);
    EXPECT_NE(wrong.err.find("wrong PIN (not tried again"), std::string::npos) << wrong.err;
    EXPECT_EQ(wrong.err.find("99999"), std::string::npos) << wrong.err;

    // The IMG key where the CSF certificate wants the CSF key: the message names the URI.
    const auto shown = rtprov(
        base + "'" +
        uri_of("IMG1_1_sha256_2048_65537_v3_usr_key.pem", std::string("&pin-value=") + kPin) + "'");
    EXPECT_EQ(shown.exit_code, 2);
    EXPECT_NE(shown.err.find("pin-value=***"), std::string::npos) << shown.err;
    EXPECT_EQ(shown.err.find(kPin), std::string::npos) << shown.err;

    const auto missing =
        rtprov(base + "'" + uri_of("CSF9_9_key.pem", std::string("&pin-value=") + kPin) + "'");
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("no private key with that label/id on token 'rtprov-test'; its "
                               "private keys: "),
              std::string::npos)
        << missing.err;
    EXPECT_NE(missing.err.find("'CSF1_1_sha256_2048_65537_v3_usr_key'"), std::string::npos);

    const auto no_token =
        rtprov(base + fmt::format("'pkcs11:token=absent;object=x?module-path={}'", module_path()));
    EXPECT_EQ(no_token.exit_code, 3);
    EXPECT_NE(no_token.err.find("no such token in " + module_path() +
                                "; the tokens there: 'rtprov-test'"),
              std::string::npos)
        << no_token.err;

    const auto no_module = rtprov(base + "'pkcs11:token=rtprov-test;object=x' < /dev/null");
    EXPECT_EQ(no_module.exit_code, 1);
    EXPECT_NE(no_module.err.find("no PKCS#11 module: add ?module-path="), std::string::npos);

    const auto no_pin = rtprov(base + "'" + uri_of(csf, "") + "' < /dev/null");
    EXPECT_EQ(no_pin.exit_code, 1);
    EXPECT_NE(no_pin.err.find("needs a PIN: add pin-source=FILE"), std::string::npos) << no_pin.err;
}

// A project file with a PIN in a key's URI is refused: it would go into git and packages.
TEST_F(Pkcs11, AProjectFileRefusesAPinInAUri) {
    TempDir t;
    const fs::path project = copy_example(t.path());
    write_text(project, read_text_file(project) +
                            "hab:\n  srk_table: srk.bin\n  csf_key: \"pkcs11:token=a;object=b?"
                            "pin-value=1234\"\n  csf_cert: c.pem\n  img_key: i.pem\n"
                            "  img_cert: i.crt\n");
    const auto r = rtprov("build -c " + project.string() + " -o " + (t / "x.bin").string());
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("'hab.csf_key': a PIN does not belong in a project file"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("1234"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rtprov::test
