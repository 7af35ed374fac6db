// `rtprov init`'s project template: every part x boot device x feature set it allows parses with
// the real project reader into the sections asked for, and names every top-level key (set or as
// a comment); every combination it refuses is one the rules below refuse, with their reason.

#include "rtprov/project/project_template.hpp"

#include <optional>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/device/device.hpp"
#include "rtprov/input/formats.hpp"
#include "rtprov/project/project_file.hpp"
#include "rtprov/util/error.hpp"
#include "test_support.hpp"

namespace rtprov::project {
namespace {

namespace fs = std::filesystem;

const fs::path kProject = "/p/project.yaml";

struct Features {
    bool hab, encrypt, bee, otfad, per_board;
};

std::string name_of(const Features& f) {
    return fmt::format("{}{}{}{}{}", f.hab ? " --hab" : "", f.encrypt ? " --encrypt" : "",
                       f.bee ? " --bee" : "", f.otfad ? " --otfad" : "",
                       f.per_board ? " --per-board" : "");
}

TemplateOptions options_for(std::string_view dev, std::string_view boot, const Features& f) {
    TemplateOptions o;
    o.device = std::string(dev);
    o.boot_device = std::string(boot);
    o.hab = f.hab;
    o.encrypt = f.encrypt;
    o.bee = f.bee;
    o.otfad = f.otfad;
    o.per_board = f.per_board;
    return o;
}

// The FCB preset of each part's EVK, written out here rather than derived from the table.
std::optional<std::string> evk_preset(std::string_view dev) {
    static const std::pair<std::string_view, std::string_view> kPresets[] = {
        {"mimxrt1010", "rt1010-evk"}, {"mimxrt1015", "rt1015-evk"},  {"mimxrt1020", "rt1020-evk"},
        {"mimxrt1024", "rt1024-evk"}, {"mimxrt1050", "rt1050-evkb"}, {"mimxrt1060", "rt1060-evk"},
        {"mimxrt1064", "rt1064"}};
    for (const auto& [part, preset] : kPresets)
        if (part == dev)
            return std::string(preset);
    return std::nullopt;
}

// The rules, restated: for each one that a combination breaks, a phrase of its refusal.
std::vector<std::string> broken_rules(std::string_view dev, std::string_view boot,
                                      const Features& f) {
    std::vector<std::string> out;
    const bool rt1010 = dev == "mimxrt1010";
    const bool nor = boot == "flexspi-nor";
    if (f.encrypt && !f.hab)
        out.push_back("--encrypt is HAB encryption, part of signing: give it with --hab");
    if (f.bee && f.otfad)
        out.push_back("--bee and --otfad: give one");
    if (f.bee && rt1010)
        out.push_back("--bee: mimxrt1010 has no BEE; its encrypted XIP is the OTFAD");
    if (f.otfad && !rt1010)
        out.push_back(fmt::format("--otfad: {} has no OTFAD (only the RT1010 has)", dev));
    if (f.encrypt && (f.bee || f.otfad))
        out.push_back("an image is either HAB-encrypted");
    if ((f.bee || f.otfad) && !nor)
        out.push_back("decrypts what executes in place from FlexSPI NOR; the boot device is");
    if (f.bee && dev == "mimxrt1064" && nor)  // the default FCB: the in-package FlexSPI2 flash
        out.push_back("--bee: the BEE decrypts FlexSPI (0x60000000..0x6FFFFFFF)");
    if (f.per_board && boot == "serial-downloader")
        out.push_back("--per-board: per-board values are written to the boot device");
    return out;
}

// Whether `text` has a line "key:" or "# key:" (at any indentation).
bool names_key(const std::string& text, const std::string& key) {
    const std::regex line("(^|\n) *(# )?(- )?" + key + ":");
    return std::regex_search(text, line);
}

void expect_sections(const ProjectTemplate& t, std::string_view dev, std::string_view boot,
                     const Features& f, const std::string& what) {
    const BuildSpec s = parse_project(t.text, kProject);
    EXPECT_EQ(s.device, dev) << what;
    EXPECT_EQ(s.boot_device, boot) << what;
    EXPECT_EQ(s.app, fs::path("/p/app.elf")) << what;
    EXPECT_EQ(s.output, fs::path("/p/project.bin")) << what;
    const std::optional<std::string> preset =
        boot == "flexspi-nor" ? evk_preset(dev) : std::nullopt;
    EXPECT_EQ(s.fcb.has_value(), preset.has_value()) << what;
    if (s.fcb && preset) {
        EXPECT_EQ(s.fcb->preset, preset) << what;
    }
    EXPECT_EQ(t.fcb_preset, preset) << what;
    ASSERT_EQ(s.hab.has_value(), f.hab) << what;
    if (f.hab) {
        EXPECT_EQ(s.hab->srk_table, fs::path("/p/pki/srk/SRK_table.bin")) << what;
        EXPECT_EQ(s.hab->csf_key, fs::path("/p/pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem"));
        EXPECT_EQ(s.hab->img_cert, fs::path("/p/pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem"));
        EXPECT_EQ(s.hab->key_password_file, fs::path("/p/pass.txt")) << what;
        EXPECT_EQ(s.hab->encrypt.has_value(), f.encrypt) << what;
        for (const char* key :
             {"srk_table", "srk_certs", "srk_index", "csf_key", "csf_cert", "img_key", "img_cert",
              "key_password_file", "nocak", "signature_time", "csf_version", "engine",
              "engine_config", "set_engine", "unlock", "encrypt"}) {
            EXPECT_TRUE(names_key(t.text, key)) << what << ": hab." << key;
        }
    }
    if (f.encrypt) {
        EXPECT_EQ(s.hab->encrypt->dek, fs::path("/p/keys/dek.bin")) << what;
        EXPECT_NE(t.text.find("linked at 0x20002000"), std::string::npos) << what;  // DTCM
    }
    ASSERT_EQ(s.bee.has_value(), f.bee) << what;
    if (f.bee) {
        ASSERT_EQ(s.bee->regions.size(), 1u) << what;
        EXPECT_EQ(s.bee->regions[0].key_file, fs::path("/p/keys/bee_key.bin")) << what;
        ASSERT_EQ(s.bee->regions[0].protect.size(), 1u) << what;
        EXPECT_EQ(s.bee->regions[0].protect[0].start, 0x60002000u) << what;
    }
    ASSERT_EQ(s.otfad.has_value(), f.otfad) << what;
    if (f.otfad) {
        EXPECT_EQ(s.otfad->kek_file, fs::path("/p/keys/otfad_kek.bin")) << what;
        ASSERT_EQ(s.otfad->regions.size(), 1u) << what;
        EXPECT_EQ(s.otfad->regions[0].start, 0x60002000u) << what;
    }
    EXPECT_EQ(s.per_board.size(), f.per_board ? 1u : 0u) << what;
    EXPECT_EQ(s.quota.has_value(), f.per_board) << what;
    // The file teaches: every top-level key appears, set or as a comment.
    std::vector<std::string> keys = {"version", "device",      "boot_device", "app",
                                     "fcb",     "dcd",         "padding",     "output",
                                     "hab",     "flashloader", "per_board",   "production"};
    if (boot == "flexspi-nor")
        keys.push_back("flash_option");
    keys.push_back(dev == "mimxrt1010" ? "otfad" : "bee");
    for (const auto& key : keys)
        EXPECT_TRUE(names_key(t.text, key)) << what << ": " << key;
    for (const char* key : {"format", "address", "entry"})
        EXPECT_TRUE(names_key(t.text, key)) << what << ": app." << key;
}

TEST(ProjectTemplate, EveryAllowedCombinationParsesAndEveryOtherIsRefusedWithItsReason) {
    std::size_t allowed = 0, refused = 0;
    for (const device::Device& dev : device::all_devices()) {
        for (const device::BootLayout& layout : dev.boot_layouts) {
            const std::string boot(device::boot_device_name(layout.device));
            for (unsigned bits = 0; bits < 32; ++bits) {
                const Features f{(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0,
                                 (bits & 16) != 0};
                const std::string what =
                    fmt::format("init --device {} --boot-device {}{}", dev.name, boot, name_of(f));
                const std::vector<std::string> rules = broken_rules(dev.name, boot, f);
                std::optional<ProjectTemplate> t;
                std::string error;
                try {
                    t = make_project_template(options_for(dev.name, boot, f), "project.yaml");
                } catch (const Error& e) {
                    EXPECT_EQ(e.code(), ErrorCode::Usage) << what;
                    error = e.what();
                }
                if (rules.empty()) {
                    ASSERT_TRUE(t) << what << ": refused: " << error;
                    ++allowed;
                    try {
                        expect_sections(*t, dev.name, boot, f, what);
                    } catch (const Error& e) {
                        ADD_FAILURE() << what << ": " << e.what() << "\n" << t->text;
                    }
                    continue;
                }
                ++refused;
                ASSERT_FALSE(t) << what << " was allowed, but breaks: " << rules.front();
                bool one_of = false;
                for (const auto& rule : rules)
                    one_of = one_of || error.find(rule) != std::string::npos;
                EXPECT_TRUE(one_of) << what << ": " << error << "\nexpected: " << rules.front();
            }
        }
    }
    EXPECT_GT(allowed, 400u);
    EXPECT_GT(refused, 500u) << allowed;
}

std::string error_of(const TemplateOptions& o) {
    try {
        make_project_template(o, "project.yaml");
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Usage);
        return e.what();
    }
    return "no error";
}

TEST(ProjectTemplate, NamesTheValidChoices) {
    TemplateOptions o;
    o.device = "mimxrt1099";
    EXPECT_EQ(error_of(o),
              "unknown device 'mimxrt1099'; known devices: mimxrt1010, mimxrt1015, mimxrt1020, "
              "mimxrt1024, mimxrt1040, mimxrt1043, mimxrt1046, mimxrt1050, mimxrt1060, "
              "mimxrt1064");
    o.device = "rt1010";
    o.boot_device = "usb";
    EXPECT_EQ(error_of(o),
              "unknown boot device 'usb'; mimxrt1010 boots from: serial-downloader, flexspi-nor");
    o.boot_device = "sd";
    EXPECT_EQ(error_of(o),
              "mimxrt1010 cannot boot from sd; its boot devices are: serial-downloader, "
              "flexspi-nor");
    o.boot_device = "";
    o.fcb_preset = "rt1170-evk";
    EXPECT_EQ(error_of(o),
              "unknown FCB preset 'rt1170-evk'; the presets are: rt1010-evk, rt1015-evk, "
              "rt1020-evk, rt1024-evk, rt1050-evkb, rt1060-evk, rt1064");
    o.fcb_preset = "rt1010-evk";
    o.boot_device = "serial-downloader";
    EXPECT_EQ(error_of(o),
              "--fcb: a FlexSPI NOR config block has no place on serial-downloader; it is for "
              "--boot-device flexspi-nor");
}

TEST(ProjectTemplate, DefaultsPerPart) {
    TemplateOptions o;
    o.device = "RT1064";
    const ProjectTemplate t = make_project_template(o, "x.yaml");
    EXPECT_EQ(t.device, "mimxrt1064");
    EXPECT_EQ(t.boot_device, "flexspi-nor");
    EXPECT_EQ(t.fcb_preset, "rt1064");
    EXPECT_NE(t.text.find("linked at 0x70002000"), std::string::npos) << t.text;  // FlexSPI2
    EXPECT_EQ(parse_project(t.text, kProject).output, fs::path("/p/x.bin"));
    o.device = "mimxrt1040";  // no EVK preset: the file says what to give instead
    const ProjectTemplate u = make_project_template(o, "x.yaml");
    EXPECT_FALSE(u.fcb_preset);
    EXPECT_NE(u.text.find("# fcb: flash.fcb"), std::string::npos) << u.text;
    EXPECT_FALSE(parse_project(u.text, kProject).fcb);
    EXPECT_EQ(default_fcb_preset("rt1050"), "rt1050-evkb");
    EXPECT_EQ(default_fcb_preset("mimxrt1046"), std::nullopt);
}

// What the app file says decides: HAB encryption of an XIP app and BEE/OTFAD of a RAM app are
// refused; sizes come from it.
TEST(ProjectTemplate, ChecksAKnownApp) {
    TemplateOptions o;
    o.device = "mimxrt1020";
    o.app = "blinky.srec";
    o.hab = o.encrypt = true;
    o.app_facts = AppFacts{0x60002000, 0x1234};
    EXPECT_EQ(error_of(o),
              "--encrypt: blinky.srec is linked to execute in place from flexspi (0x60002000); "
              "HAB decrypts only what the boot ROM copies to RAM, so rtprov build refuses it. For "
              "encrypted XIP use --bee, or link the app into RAM (DTCM, OCRAM or SDRAM)");
    o.device = "mimxrt1010";
    EXPECT_NE(error_of(o).find("For encrypted XIP use --otfad"), std::string::npos);
    o.device = "mimxrt1020";
    o.encrypt = false;
    o.bee = true;
    o.app_facts = AppFacts{0x20202000, 0x800};
    EXPECT_EQ(error_of(o),
              "--bee: blinky.srec is linked into ocram (0x20202000); the BEE decrypts an app "
              "executed in place from FlexSPI NOR: link it at 0x60002000, or use --hab --encrypt "
              "for an app that runs from RAM");
    o.app_facts = AppFacts{0x30000000, 0x800};
    EXPECT_EQ(error_of(o),
              "blinky.srec at 0x30000000 (2048 bytes) lies in no memory of mimxrt1020");
    o.app_facts = AppFacts{0x60002000, 0x1234};
    o.boot_device = "sd";
    o.bee = false;
    EXPECT_EQ(error_of(o),
              "blinky.srec is linked to execute in place in flexspi (0x60002000), which needs "
              "--boot-device flexspi-nor, not sd");
    o.boot_device = "";
    o.bee = o.per_board = true;
    const BuildSpec s = parse_project(make_project_template(o, "p.yaml").text, kProject);
    EXPECT_EQ(s.app, fs::path("/p/blinky.srec"));
    EXPECT_EQ(s.bee->regions[0].protect[0].start, 0x60002000u);
    EXPECT_EQ(s.bee->regions[0].protect[0].length, 0x1400u);  // 0x1234 rounded up to 1 KiB
    ASSERT_EQ(s.per_board.size(), 1u);
    EXPECT_EQ(s.per_board[0].address, 0x60100000u);
    o.bee = false;
    o.hab = o.encrypt = true;
    o.app_facts = AppFacts{0x20002000, 0x4000};
    const BuildSpec e = parse_project(make_project_template(o, "p.yaml").text, kProject);
    ASSERT_TRUE(e.hab && e.hab->encrypt);
    EXPECT_EQ(e.per_board[0].address, 0x60100000u);
}

TEST(ProjectTemplate, RawBinaryAddressIsWritten) {
    TemplateOptions o;
    o.device = "mimxrt1010";
    o.app = "fw/app.bin";
    o.app_address = 0x60002000;
    o.otfad = true;
    const BuildSpec s = parse_project(make_project_template(o, "p.yaml").text, kProject);
    EXPECT_EQ(s.app, fs::path("/p/fw/app.bin"));
    EXPECT_EQ(s.app_address, 0x60002000u);
    ASSERT_TRUE(s.otfad);
    EXPECT_EQ(s.otfad->regions[0].length, 0x10000u);  // a placeholder the comment asks to set
    o.app_address = 0x20002000;
    EXPECT_NE(error_of(o).find("fw/app.bin is linked into dtcm (0x20002000); the OTFAD decrypts"),
              std::string::npos);
}

TEST(ProjectTemplate, ReadsTheAppFileWhenItExists) {
    test::TempDir t;
    EXPECT_FALSE(read_app_facts(t / "none.elf", std::nullopt));
    input::MemoryImage app;
    app.add(0x60002000, Bytes(0x321, 0xAB), "test");
    test::write_text(t / "app.srec", input::write_srec(app));
    const auto facts = read_app_facts(t / "app.srec", std::nullopt);
    ASSERT_TRUE(facts);
    EXPECT_EQ(facts->start, 0x60002000u);
    EXPECT_EQ(facts->size, 0x321u);
    test::write_bytes(t / "app.bin", Bytes(0x100, 1));
    EXPECT_EQ(read_app_facts(t / "app.bin", 0x20002000)->start, 0x20002000u);
}

TEST(ProjectTemplate, CommentsAreAlignedAndTheFileEndsWithANewline) {
    TemplateOptions o;
    o.device = "mimxrt1050";
    o.hab = o.per_board = true;
    const std::string text = make_project_template(o, "project.yaml").text;
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    EXPECT_NE(text.find("fcb: rt1050-evkb                      # MIMXRT1050-EVKB: "),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find('\t'), std::string::npos);
}

}  // namespace
}  // namespace rtprov::project
