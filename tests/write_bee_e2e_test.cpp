// Black-box test of issue 17's BEE OTPMK flow: `rtprov export-pkg` of a HAB-signed bee: otpmk
// project (RT1050, RT1060), then `rtprov write --json` to two simulated parts (sim:auto) with
// --burn-srk --burn-encryption: both pass, their flashes are encrypted each with its own OTPMK,
// and the simulator's boot check (the sim-boot events) reads them through the BEE and boots.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bee_projects.hpp"
#include "cli_support.hpp"

namespace rtprov::test {
namespace {

using Json = nlohmann::json;

std::vector<Json> json_lines(const std::string& out) {
    std::vector<Json> events;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
        events.push_back(Json::parse(line));
    return events;
}

TEST(WriteBeeE2e, OtpmkPackagesWriteToTwoPartsAndBootThroughTheBee) {
    for (const std::string device : {"mimxrt1050", "mimxrt1060"}) {
        SCOPED_TRACE(device);
        TempDir t;
        const auto project = bee_project(t.path(), device, BeeMode::Otpmk);
        const auto pkg = t / "bee_pkg.zip";
        auto r = rtprov(fmt::format("export-pkg -c {} -o {}", project.string(), pkg.string()));
        ASSERT_EQ(r.exit_code, 0) << r.err;
        // The dry run names the BEE words and the flag they need.
        r = rtprov(fmt::format("write {} -p sim:auto --dry-run", pkg.string()));
        EXPECT_NE(r.out.find("needs --burn-encryption"), std::string::npos) << r.out << r.err;
        r = rtprov(fmt::format("--json write {} -p sim:auto -p sim:auto --burn-srk "
                               "--burn-encryption --allow-unsigned-fuses",
                               pkg.string()));
        EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
        std::size_t booted = 0, passed = 0;
        for (const Json& e : json_lines(r.out)) {
            if (e["event"] == "result" && e["outcome"] == "passed")
                ++passed;
            if (e["event"] == "sim-boot") {
                EXPECT_TRUE(e["boots"].get<bool>()) << e.dump();
                EXPECT_NE(e["reason"].get<std::string>().find("BEE: 1 region(s) decrypted"),
                          std::string::npos)
                    << e.dump();
                ++booted;
            }
        }
        EXPECT_EQ(passed, 2u) << r.out;
        EXPECT_EQ(booted, 2u) << r.out;
    }
}

}  // namespace
}  // namespace rtprov::test
