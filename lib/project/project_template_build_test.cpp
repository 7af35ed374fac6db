// Every part x boot device x feature set that `rtprov init` allows builds as written: the file it
// writes, an app where the file says to link it, and the keys its next steps make (a PKI from
// generate_pki, 16-byte key files), through build_outputs() as `rtprov build -c` runs it.

#include <regex>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/device/device.hpp"
#include "rtprov/hab/pki.hpp"
#include "rtprov/input/formats.hpp"
#include "rtprov/project/build_outputs.hpp"
#include "rtprov/project/project_file.hpp"
#include "rtprov/project/project_template.hpp"
#include "rtprov/util/error.hpp"
#include "test_support.hpp"

namespace rtprov::project {
namespace {

namespace fs = std::filesystem;

// The folder the next steps leave behind: pass.txt, pki/, keys/ (the app is written per case).
void make_inputs(const fs::path& dir) {
    const std::string password = "a long key password";
    test::write_text(dir / "pass.txt", password + "\n");
    hab::PkiOptions o;
    o.srk_count = 1;
    o.password = password;
    o.rng_seed = "rtprov init builds";
    o.kdf_iterations = hab::kMinKdfIterations;
    hab::write_pki(hab::generate_pki(o), dir / "pki");
    for (const char* key : {"keys/dek.bin", "keys/bee_key.bin", "keys/otfad_kek.bin"}) {
        Bytes k(16);
        for (std::size_t i = 0; i < k.size(); ++i)
            k[i] = static_cast<std::uint8_t>(0x11 * i + key[5]);
        fs::create_directories((dir / key).parent_path());
        test::write_bytes(dir / key, k);
    }
}

// An ELF app of 16 KiB linked at `address`: a vector table (stack in DTCM, reset vector inside).
void write_app(const fs::path& file, std::uint32_t address) {
    Bytes app(16 * 1024);
    for (std::size_t i = 0; i < app.size(); ++i)
        app[i] = static_cast<std::uint8_t>((i * 40503) >> 5);
    store_le32(app.data(), 0x20008000);
    store_le32(app.data() + 4, address + 0x101);
    input::MemoryImage image;
    image.add(address, app, "app");
    test::write_bytes(file, input::write_elf(image));
}

// The link address the file's header tells the user: "put the app at app.elf, linked at 0x…".
std::uint32_t link_address(const std::string& text) {
    std::smatch m;
    if (!std::regex_search(text, m, std::regex("linked at (0x[0-9A-Fa-f]+)")))
        throw Error(ErrorCode::Internal, "no link address in the template:\n" + text);
    return static_cast<std::uint32_t>(std::stoul(m[1].str(), nullptr, 16));
}

TEST(ProjectTemplateBuild, EveryAllowedCombinationBuildsAsWritten) {
    test::TempDir dir;
    make_inputs(dir.path());
    std::size_t built = 0;
    for (const device::Device& dev : device::all_devices()) {
        for (const device::BootLayout& layout : dev.boot_layouts) {
            const std::string boot(device::boot_device_name(layout.device));
            for (unsigned bits = 0; bits < 32; ++bits) {
                TemplateOptions o;
                o.device = std::string(dev.name);
                o.boot_device = boot;
                o.hab = (bits & 1) != 0;
                o.encrypt = (bits & 2) != 0;
                o.bee = (bits & 4) != 0;
                o.otfad = (bits & 8) != 0;
                o.per_board = (bits & 16) != 0;
                std::optional<ProjectTemplate> t;
                try {
                    t = make_project_template(o, "project.yaml");
                } catch (const Error&) {
                    continue;  // refusals: project_template_test.cpp checks each one's reason
                }
                const std::string what = fmt::format("{} {} {}", dev.name, boot,
                                                     fmt::join(t->features, " "));
                const fs::path project = dir / "project.yaml";
                test::write_text(project, t->text);
                write_app(dir / "app.elf", link_address(t->text));
                try {
                    const BuildOutputs out = build_outputs(load_project(project), std::nullopt,
                                                           "project.yaml");
                    EXPECT_EQ(out.is_signed, o.hab) << what;
                    EXPECT_EQ(out.bee.has_value(), o.bee) << what;
                    EXPECT_EQ(out.otfad.has_value(), o.otfad) << what;
                    EXPECT_FALSE(out.data.empty()) << what;
                    ++built;
                } catch (const Error& e) {
                    ADD_FAILURE() << what << ": " << e.what() << "\n" << t->text;
                }
            }
        }
    }
    EXPECT_GT(built, 400u);
}

}  // namespace
}  // namespace rtprov::project
