// Black-box tests of `rtprov init`: the project it writes builds as written, for several parts and
// feature sets, by following the next steps it prints (keys, key files, build, verify) in the
// project's folder; it refuses to overwrite a file, and names the valid choices for a bad one.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

namespace fs = std::filesystem;

// A raw binary app: a vector table (initial SP, reset vector inside the app), then a pattern.
fs::path write_app(const fs::path& file, std::uint32_t address, std::size_t size) {
    Bytes app(size);
    for (std::size_t i = 0; i < app.size(); ++i)
        app[i] = static_cast<std::uint8_t>((i * 40503) >> 5);
    store_le32(app.data(), 0x20010000);
    store_le32(app.data() + 4, address + 0x101);
    fs::create_directories(file.parent_path());
    write_bytes(file, app);
    return file;
}

// The example app of an EVK (examples/<board>/app/blinky.srec) copied into `dir`.
fs::path example_app(const fs::path& dir, const std::string& board) {
    fs::create_directories(dir / "app");
    fs::copy_file(kSource / "examples" / board / "app/blinky.srec", dir / "app/blinky.srec");
    return dir / "app/blinky.srec";
}

// `rtprov --json init ARGS`: its report.
nlohmann::json init_json(const std::string& args) {
    const auto r = rtprov("--json init " + args);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
}

// Runs the next steps init printed in `dir`, as a reader would (the PKI made small and quick).
// Returns the output of the last step.
std::string follow_steps(const fs::path& dir, const nlohmann::json& report) {
    std::string last;
    EXPECT_TRUE(report.contains("next_steps")) << report.dump();
    for (const auto& step : report.value("next_steps", nlohmann::json::array())) {
        std::string command = step.get<std::string>();
        EXPECT_FALSE(command.starts_with("put the app")) << command;
        if (command.starts_with("rtprov "))
            command = kRtprov + command.substr(6);
        if (command.find(" keys -o pki") != std::string::npos)
            command += " --srk-count 1 --kdf-iterations 2048";
        const auto r = run_command(fmt::format("cd '{}' && ( {} )", dir.string(), command));
        EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.out << r.err;
        last = r.out;
    }
    return last;
}

// The example project of each EVK and `init` with the same app build the same image.
TEST(InitE2e, PlainProjectOfEachEvkBuildsTheExamplesImage) {
    const std::pair<const char*, const char*> boards[] = {{"mimxrt1020", "rt1020-evk"},
                                                          {"rt1050", "rt1050-evkb"},
                                                          {"mimxrt1060", "rt1060-evk"},
                                                          {"MIMXRT1064", "rt1064-evk"}};
    for (const auto& [part, board] : boards) {
        TempDir t;
        const fs::path app = example_app(t.path(), board);
        const fs::path project = t / "new/project.yaml";  // the folder is made
        const auto report = init_json(
            fmt::format("-o {} --device {} --app {}", project.string(), part, app.string()));
        EXPECT_EQ(report.value("app", ""), "../app/blinky.srec") << board;
        EXPECT_TRUE(report.value("app_exists", false)) << board;
        follow_steps(project.parent_path(), report);
        const auto ex = rtprov(fmt::format("build -c {} -o {}",
                                           (kSource / "examples" / board / "project.yaml").string(),
                                           (t / "example.bin").string()));
        ASSERT_EQ(ex.exit_code, 0) << ex.err;
        ASSERT_TRUE(is_file(t / "new/project.bin")) << board;
        EXPECT_EQ(read_file(t / "new/project.bin"), read_file(t / "example.bin")) << board;
    }
}

TEST(InitE2e, SignedProjectBuildsAndVerifies) {
    TempDir t;
    const fs::path app = example_app(t.path(), "rt1060-evk");
    const auto report = init_json(fmt::format("-o {} --device mimxrt1060 --hab --app {}",
                                              (t / "project.yaml").string(), app.string()));
    EXPECT_EQ(report["features"], nlohmann::json::array({"hab"}));
    const std::string verified = follow_steps(t.path(), report);
    EXPECT_NE(verified.find("project.bin: HAB verification passed"), std::string::npos) << verified;
}

// HAB encryption of a RAM-linked raw binary: the DEK made as the steps say, verified with it.
TEST(InitE2e, HabEncryptedRamAppBuildsAndVerifies) {
    TempDir t;
    const fs::path app = write_app(t / "fw/ram.bin", 0x20002000, 16 * 1024);
    const auto report = init_json(
        fmt::format("-o {} --device rt1020 --hab --encrypt --app {} --app-address 0x20002000",
                    (t / "p/enc.yaml").string(), app.string()));
    const std::string text = read_text_file(t / "p/enc.yaml");
    EXPECT_NE(text.find("  address: 0x20002000"), std::string::npos) << text;
    EXPECT_NE(text.find("    dek: keys/dek.bin"), std::string::npos) << text;
    const std::string verified = follow_steps(t / "p", report);
    EXPECT_NE(verified.find("enc.bin: HAB verification passed"), std::string::npos) << verified;
}

// Signed and BEE-encrypted with a per-board serial: builds, and packages (the range leaves the
// boot structures in the clear, the serial's address lies outside the image).
TEST(InitE2e, BeeProjectWithPerBoardValuesBuildsAndExports) {
    TempDir t;
    const fs::path app = example_app(t.path(), "rt1050-evkb");
    const auto report =
        init_json(fmt::format("-o {} --device mimxrt1050 --hab --bee --per-board --app {}",
                              (t / "project.yaml").string(), app.string()));
    EXPECT_EQ(report["features"], nlohmann::json::array({"hab", "bee", "per-board"}));
    follow_steps(t.path(), report);
    const auto info = rtprov("info " + (t / "project.bin").string());
    EXPECT_NE(info.out.find("BEE"), std::string::npos) << info.out << info.err;
    const auto r = rtprov(fmt::format("export-pkg -c {} -o {} --insecure-plain-secrets",
                                      (t / "project.yaml").string(), (t / "pkg.zip").string()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(InitE2e, OtfadProjectOfTheRt1010Builds) {
    TempDir t;
    const fs::path app = write_app(t / "app.bin", 0x60002000, 0x3000);
    const auto report = init_json(
        fmt::format("-o {} --device mimxrt1010 --hab --otfad --app {} --app-address 0x60002000",
                    (t / "project.yaml").string(), app.string()));
    EXPECT_EQ(report.value("fcb", ""), "rt1010-evk");
    const std::string built = follow_steps(t.path(), report);
    EXPECT_NE(built.find("OTFAD"), std::string::npos) << built;
    EXPECT_NE(read_text_file(t / "project.yaml").find("      length: 0x3000"), std::string::npos);
}

// Other boot devices and a part without an EVK preset.
TEST(InitE2e, SdBootAndAPartWithoutPresetBuild) {
    TempDir t;
    const fs::path ram = write_app(t / "ram.bin", 0x20002000, 0x1000);
    auto report =
        init_json(fmt::format("-o {} --device mimxrt1050 --boot-device sd --app {} "
                              "--app-address 0x20002000",
                              (t / "sd.yaml").string(), ram.string()));
    EXPECT_TRUE(report["fcb"].is_null());
    EXPECT_EQ(read_text_file(t / "sd.yaml").find("\nfcb:"), std::string::npos);
    follow_steps(t.path(), report);
    EXPECT_TRUE(is_file(t / "sd.bin"));
    const fs::path xip = write_app(t / "xip.bin", 0x60002000, 0x1000);
    report = init_json(fmt::format("-o {} --device mimxrt1040 --app {} --app-address 0x60002000",
                                   (t / "rt1040.yaml").string(), xip.string()));
    follow_steps(t.path(), report);
    EXPECT_TRUE(is_file(t / "rt1040.bin"));
}

TEST(InitE2e, RefusesToOverwriteWithoutForce) {
    TempDir t;
    const fs::path project = t / "project.yaml";
    auto r = rtprov("init -q -o " + project.string() + " --device rt1020");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    const std::string first = read_text_file(project);
    r = rtprov("init -o " + project.string() + " --device rt1020 --hab");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, fmt::format("rtprov: error: init: {} already exists; give --force to replace "
                                 "it, or choose another -o\n",
                                 project.string()));
    EXPECT_EQ(read_text_file(project), first);
    r = rtprov("init -o " + project.string() + " --device rt1020 --hab --force");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(read_text_file(project).find("\nhab:\n"), std::string::npos);
}

TEST(InitE2e, UnknownNamesAndRefusedCombinationsWriteNothing) {
    TempDir t;
    const fs::path project = t / "project.yaml";
    auto r = rtprov("init -o " + project.string() + " --device mimxrt1099");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "rtprov: error: unknown device 'mimxrt1099'; known devices: mimxrt1010, mimxrt1015, "
              "mimxrt1020, mimxrt1024, mimxrt1040, mimxrt1043, mimxrt1046, mimxrt1050, "
              "mimxrt1060, mimxrt1064\n");
    r = rtprov("init -o " + project.string() + " --device rt1010 --bee");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "rtprov: error: --bee: mimxrt1010 has no BEE; its encrypted XIP is the OTFAD: use "
              "--otfad\n");
    const fs::path app = example_app(t.path(), "rt1020-evk");
    r = rtprov("--json init -o " + project.string() + " --device rt1020 --hab --encrypt --app " +
               app.string());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("is linked to execute in place from flexspi (0x60002000); HAB decrypts "
                         "only what the boot ROM copies to RAM"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("For encrypted XIP use --bee"), std::string::npos) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["error"]["exit_code"], 1) << r.out;
    EXPECT_FALSE(path_exists(project));
}

TEST(InitE2e, JsonReportsWhatWasWritten) {
    TempDir t;
    const auto report =
        init_json(fmt::format("-o {} --device rt1064 --hab", (t / "p.yaml").string()));
    EXPECT_EQ(report["output"], (t / "p.yaml").string());
    EXPECT_EQ(report["device"], "mimxrt1064");
    EXPECT_EQ(report["boot_device"], "flexspi-nor");
    EXPECT_EQ(report["fcb"], "rt1064");
    EXPECT_EQ(report["app"], "app.elf");
    EXPECT_FALSE(report["app_exists"]);
    EXPECT_EQ(report["inputs"][0], "app.elf");
    EXPECT_EQ(report["inputs"][1], "pass.txt");
    const auto& steps = report["next_steps"];
    ASSERT_GE(steps.size(), 4u);
    EXPECT_EQ(steps[0], "put the app at app.elf, linked at 0x70002000 (executes in place)");
    EXPECT_EQ(steps[2], "rtprov keys -o pki --password-file pass.txt --device mimxrt1064");
    EXPECT_EQ(steps[3], "rtprov build -c p.yaml");
}

}  // namespace
}  // namespace rtprov::test
