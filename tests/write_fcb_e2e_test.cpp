// Black-box tests of issue 18 ("passed means the board boots"): FlexSPI NOR packages whose image
// carries no FCB, exported by the real `rtprov export-pkg` and written by `rtprov write --json`
// to the in-process simulator (sim:auto), whose boot check (the sim-boot event) must say the
// board boots: the flashloader programmed the FCB at flash offset 0.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "rtprov/pkg/zip_archive.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

using Json = nlohmann::json;

// The write projects' inputs (app.bin, fl.bin for the RT1020) plus fl1050.bin, the same
// flashloader stand-in built for the RT1050.
void write_inputs(const std::filesystem::path& d) {
    write_rt1020_app_and_flashloader(d);
    const auto r =
        rtprov(fmt::format("build --device mimxrt1050 --boot-device serial-downloader --app {} "
                           "--app-address 0x20208400 -o {}",
                           (d / "flapp.bin").string(), (d / "fl1050.bin").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

// Exports `yaml` (written beside the inputs) and writes it to a simulated part; the JSON events.
std::vector<Json> export_and_write(const std::filesystem::path& d, const std::string& yaml,
                                   const std::filesystem::path& pkg) {
    write_text(d / "project.yaml", yaml);
    auto r =
        rtprov(fmt::format("export-pkg -c {} -o {}", (d / "project.yaml").string(), pkg.string()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = rtprov(fmt::format("--json write {} -p sim:auto", pkg.string()));
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    std::vector<Json> events;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);)
        events.push_back(Json::parse(line));
    return events;
}

const Json* event(const std::vector<Json>& events, const std::string& kind) {
    for (const auto& e : events)
        if (e["event"] == kind)
            return &e;
    return nullptr;
}

std::vector<std::string> step_details(const Json& result) {
    std::vector<std::string> out;
    for (const auto& s : result["steps"])
        out.push_back(s["op"].get<std::string>() + ": " + s["detail"].get<std::string>());
    return out;
}

bool has(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

// A project converted from an SPSDK configuration: no FCB, the image starting at the IVT.
TEST(WriteFcbE2e, AnImageWithoutFcbIsWrittenWithTheFlashloadersFcbAndBoots) {
    TempDir t;
    write_inputs(t.path());
    const auto events =
        export_and_write(t.path(),
                         "version: 1\ndevice: mimxrt1020\nboot_device: flexspi-nor\n"
                         "app:\n  file: app.bin\n  address: 0x60002000\n"
                         "padding: false\nflashloader: fl.bin\n",
                         t / "pkg.zip");
    const Json* boot = event(events, "sim-boot");
    ASSERT_NE(boot, nullptr);
    EXPECT_EQ((*boot)["boots"], true) << (*boot)["reason"];
    EXPECT_EQ((*boot)["reason"].get<std::string>().rfind("FCB, IVT and entry 0x60002101 valid", 0),
              0u)
        << (*boot)["reason"];
    const Json* result = event(events, "result");
    ASSERT_NE(result, nullptr);
    EXPECT_EQ((*result)["outcome"], "passed");
    const auto steps = step_details(*result);
    EXPECT_TRUE(has(steps, "configure-memory: memory 9 configured with option word 0xC0000007"))
        << fmt::format("{}", fmt::join(steps, "\n"));
    EXPECT_TRUE(has(steps,
                    "configure-memory: the flashloader programmed an FCB at 0x60000000 "
                    "from its configuration (read back: \"FCFB\" tag)"))
        << fmt::format("{}", fmt::join(steps, "\n"));
}

// The RT1050-EVKB preset without the FCB area in the image: the plan configures the HyperFlash
// with NXP's 0xC0233007, and the FCB the flashloader programs is the preset's.
TEST(WriteFcbE2e, Rt1050EvkbPackageUsesTheHyperFlashOptionAndBoots) {
    TempDir t;
    write_inputs(t.path());
    const auto events =
        export_and_write(t.path(),
                         "version: 1\ndevice: mimxrt1050\nboot_device: flexspi-nor\n"
                         "app:\n  file: app.bin\n  address: 0x60002000\n"
                         "fcb: rt1050-evkb\npadding: false\nflashloader: fl1050.bin\n",
                         t / "pkg.zip");
    const auto entries = pkg::read_zip(read_file(t / "pkg.zip"), {});
    const Json manifest =
        Json::parse(std::string(entries.at(0).data.begin(), entries.at(0).data.end()));
    ASSERT_EQ(entries.at(0).name, "manifest.json");
    EXPECT_EQ(manifest["write_plan"][1], Json::parse(R"({"op": "configure-memory", "memory_id": 9,
                              "option_words": ["0xc0233007"]})"))
        << manifest["write_plan"].dump(2);
    const Json* boot = event(events, "sim-boot");
    ASSERT_NE(boot, nullptr);
    EXPECT_EQ((*boot)["boots"], true) << (*boot)["reason"];
    const Json* result = event(events, "result");
    ASSERT_NE(result, nullptr);
    EXPECT_EQ((*result)["outcome"], "passed");
    const auto steps = step_details(*result);
    EXPECT_TRUE(has(steps, "configure-memory: memory 9 configured with option word 0xC0233007"))
        << fmt::format("{}", fmt::join(steps, "\n"));
}

}  // namespace
}  // namespace rtprov::test
