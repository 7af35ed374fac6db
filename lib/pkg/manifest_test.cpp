#include "rtprov/pkg/manifest.hpp"

#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"

namespace rtprov::pkg {
namespace {

Manifest sample() {
    Manifest m;
    m.required = {{"hab-signed", "0.1.0"}, {"fuse-srk", "0.1.0"}};
    m.writer = "rtprov 0.2.0";
    m.device = "mimxrt1020";
    m.files.push_back({"images/flexspi-nor.bin", std::string(64, 'a'), 8192, FileRole::Image});
    m.files.push_back({"README.txt", std::string(64, 'b'), 10, FileRole::Readme});
    m.files.push_back({"fl.bin", std::string(64, 'c'), 4096, FileRole::Flashloader});
    m.images.push_back({"flexspi-nor", "images/flexspi-nor.bin", true, 9, 0x60000000});
    m.flashloaders.push_back({"fl.bin", true, 0x20208000, 0x20208400});
    m.fuses.push_back({"SRK0", 0x18, 0x12345678, LockPolicy::AfterVerify, "SRK_LOCK", kWholeWord, ""});
    const auto step = [&](StepOp op) -> WriteStep& {
        m.write_plan.emplace_back();
        m.write_plan.back().op = op;
        return m.write_plan.back();
    };
    step(StepOp::LoadFlashloader);
    WriteStep& config = step(StepOp::ConfigureMemory);
    config.memory_id = 9;
    config.fcb_file = "images/flexspi-nor.bin";
    WriteStep& erase = step(StepOp::Erase);
    erase.memory_id = 9;
    erase.address = 0x60000000;
    erase.length = 8192;
    for (const StepOp op : {StepOp::Write, StepOp::Verify}) {
        WriteStep& w = step(op);
        w.memory_id = 9;
        w.address = 0x60000000;
        w.file = "images/flexspi-nor.bin";
    }
    step(StepOp::ProgramFuses).words = {"SRK0"};
    step(StepOp::LockFuses).field = "SRK_LOCK";
    step(StepOp::Reset);
    return m;
}

std::string error_of(const std::string& text) {
    try {
        parse_manifest(text, "0.1.0");
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

// The sample's text with `from` replaced by `to` (once).
std::string edited(const std::string& from, const std::string& to) {
    std::string text = format_manifest(sample());
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
}

TEST(Manifest, FormatsAndParsesBack) {
    const std::string text = format_manifest(sample());
    EXPECT_EQ(text.substr(0, 30), "{\n  \"schema_version\": \"2.0\",\n ");
    const ParsedManifest p = parse_manifest(text, "0.1.0");
    EXPECT_EQ(p.manifest, sample());
    EXPECT_TRUE(p.warnings.empty());
    EXPECT_NE(text.find("\"value\": \"0x12345678\""), std::string::npos);
}

TEST(Manifest, MalformedJsonNamesTheByte) {
    EXPECT_EQ(error_of("{\"schema_version\": "), "manifest.json: malformed JSON at byte offset 19");
    EXPECT_EQ(error_of("{\"a\": x}"), "manifest.json: malformed JSON at byte offset 6");
    // Fuzzing (tests/fuzz/regressions/manifest/number-beyond-double): a number beyond a double is
    // the file's fault too, not an escaping library exception.
    EXPECT_EQ(error_of("8e0352526").rfind("manifest.json: unusable JSON: ", 0), 0u)
        << error_of("8e0352526");
    EXPECT_EQ(error_of("[1]"), "manifest.json: top level: expected an object, got array");
}

TEST(Manifest, WrongTypesAndMissingFieldsNameTheField) {
    EXPECT_EQ(error_of(edited("\"size\": 8192", "\"size\": \"8192\"")),
              "manifest.json: files[0].size: expected an unsigned integer, got string");
    EXPECT_EQ(error_of(edited("\"size\": 8192", "\"size\": -1")),
              "manifest.json: files[0].size: expected an unsigned integer, got a negative integer");
    EXPECT_EQ(error_of(edited("\"signed\": true", "\"signed\": 1")),
              "manifest.json: images[0].signed: expected a boolean, got number");
    EXPECT_EQ(error_of(edited("\"address\": \"0x60000000\"", "\"address\": \"60000000\"")),
              "manifest.json: images[0].address: '60000000' is not a 32-bit value written 0x...");
    EXPECT_EQ(error_of(edited("\"op\": \"reset\"", "\"op\": \"format-disk\"")),
              "manifest.json: write_plan[7].op: unknown step 'format-disk'");
    EXPECT_EQ(error_of(edited("\"words\": [\n        \"SRK0\"", "\"words\": [\n        \"SRK9\"")),
              "manifest.json: write_plan[5].words: 'SRK9' is not in fuses");
    EXPECT_EQ(error_of(edited("\"file\": \"fl.bin\"", "\"file\": \"gone.bin\"")),
              "manifest.json: flashloaders[0].file: 'gone.bin' is not in files");
    EXPECT_EQ(error_of(edited("\"device\": \"mimxrt1020\",", "")),
              "manifest.json: device: missing");
    EXPECT_EQ(error_of(edited("\"role\": \"readme\"", "\"role\": \"firmware\"")),
              "manifest.json: files[1].role: unknown role 'firmware'");
    EXPECT_EQ(error_of(edited("\"0x12345678\"", "\"0x1234\"")),
              "manifest.json: fuses[0].value: '0x1234' is not a 32-bit word written 0xXXXXXXXX");
    EXPECT_EQ(error_of(edited("\"schema_version\": \"2.0\"", "\"schema_version\": \"1\"")),
              "manifest.json: schema_version: '1' is not MAJOR.MINOR");
    EXPECT_EQ(error_of(edited("\"fuses\": [", "\"fuses\": {}, \"x\": [")),
              "manifest.json: fuses: expected an array, got object");
    EXPECT_EQ(error_of(edited("\"writer\"", "\"colour\": 1, \"writer\"")),
              "manifest.json: colour: unknown field");
}

TEST(Manifest, RefusesANewerMajorSchema) {
    EXPECT_EQ(error_of(edited("\"2.0\"", "\"3.0\"")),
              "manifest.json: schema 3.0 is newer than this rtprov 0.1.0 reads (2.x); use a "
              "newer rtprov");
    EXPECT_EQ(error_of(edited("\"2.0\"", "\"0.9\"")),
              "manifest.json: schema 0.9 is not known to this rtprov 0.1.0");
}

TEST(Manifest, RefusesAnUnknownRequiredFeatureNamingIt) {
    EXPECT_EQ(error_of(edited("{\n      \"feature\": \"hab-signed\"",
                              "{\"feature\": \"bee\", \"added_in\": \"0.4.0\"}, "
                              "{\n      \"feature\": \"hab-signed\"")),
              "package requires feature 'bee' (added in rtprov 0.4.0), which this rtprov 0.1.0 "
              "does not know");
}

TEST(Manifest, NewerMinorImportsWithAWarning) {
    std::string text = edited("\"2.0\"", "\"2.3\"");
    text = text.replace(text.find("\"writer\""), 8, "\"signature\": {}, \"writer\"");
    const ParsedManifest p = parse_manifest(text, "0.1.0");
    EXPECT_EQ(p.manifest.device, "mimxrt1020");
    ASSERT_EQ(p.warnings.size(), 1u);
    EXPECT_EQ(p.warnings[0],
              "manifest.json: schema 2.3 is newer than this rtprov 0.1.0 reads (2.2); ignoring "
              "signature");
}

// Schema 2.1: per-board values and a production quota; the plan is written as 2.1 only then.
Manifest sample_21() {
    Manifest m = sample();
    WriteStep serial;
    serial.op = StepOp::PerBoardData;
    serial.data.name = "serial";
    serial.data.source = BoardDataSource::Counter;
    serial.data.start = 1000;
    serial.data.format = BoardDataFormat::Le32;
    serial.data.size = 4;
    serial.data.memory_id = 9;
    serial.data.address = 0x60100000;
    WriteStep mac;
    mac.op = StepOp::PerBoardData;
    mac.data.name = "mac";
    mac.data.source = BoardDataSource::Csv;
    mac.data.column = "mac";
    mac.data.format = BoardDataFormat::Hex;
    mac.data.size = 6;
    mac.data.fuses = {"MAC0", "MAC1"};
    m.write_plan.insert(m.write_plan.begin() + 5, {serial, mac});
    m.production.quota = 500;
    return m;
}

TEST(Manifest, PerBoardDataAndAQuotaAreSchema21) {
    EXPECT_EQ(schema_for(sample()), (SchemaVersion{2, 0}));
    const Manifest m = sample_21();
    EXPECT_EQ(schema_for(m), (SchemaVersion{2, 1}));
    const std::string text = format_manifest(m);
    EXPECT_EQ(text.substr(0, 30), "{\n  \"schema_version\": \"2.1\",\n ");
    EXPECT_NE(text.find(R"("op": "per-board-data",
      "name": "serial",
      "source": "counter",
      "start": 1000,
      "format": "le32",
      "size": 4,
      "memory_id": 9,
      "address": "0x60100000")"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("\"production\": {\n    \"quota\": 500\n  }"), std::string::npos);
    ParsedManifest p = parse_manifest(text, "0.3.0");
    p.manifest.schema = SchemaVersion{};
    EXPECT_EQ(p.manifest, m);
    EXPECT_TRUE(p.warnings.empty());
    EXPECT_EQ(board_data_steps(m).size(), 2u);
    EXPECT_EQ(describe_board_data(m.write_plan[5].data),
              "serial: counter from 1000, le32 (4 bytes) to memory 9 at 0x60100000");
    EXPECT_EQ(describe_board_data(m.write_plan[6].data),
              "mac: csv column mac, hex (6 bytes) into fuses MAC0, MAC1");
}

TEST(Manifest, PerBoardDataStepsAreChecked) {
    const std::string text = format_manifest(sample_21());
    const auto edited21 = [&](const std::string& from, const std::string& to) {
        std::string t = text;
        const auto at = t.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        return t.replace(at, from.size(), to);
    };
    EXPECT_EQ(error_of(edited21("\"source\": \"counter\"", "\"source\": \"dice\"")),
              "manifest.json: write_plan[5].source: unknown source 'dice' (counter, csv, uid)");
    EXPECT_EQ(error_of(edited21("\"size\": 4,", "\"size\": 2,")),
              "manifest.json: write_plan[5].name: serial: format le32 is 4 bytes, not 2");
    EXPECT_EQ(error_of(edited21("\"size\": 6", "\"size\": 9")),
              "manifest.json: write_plan[6].name: mac: 9 bytes do not fit 2 fuse words");
    EXPECT_EQ(error_of(edited21("\"name\": \"mac\"", "\"name\": \"serial\"")),
              "manifest.json: write_plan[6].name: 'serial' names another per-board-data step too");
    EXPECT_EQ(error_of(edited21("\"name\": \"mac\"", "\"name\": \"Mac Address\"")),
              "manifest.json: write_plan[6].name: 'Mac Address' is not a name of 1..32 "
              "characters a-z, 0-9, '_', '-'");
    EXPECT_EQ(error_of(edited21("\"MAC0\"", "\"SRK0\"")),
              "manifest.json: write_plan[6].fuses: 'SRK0' is burned by another step too");
    EXPECT_EQ(error_of(edited21("\"quota\": 500", "\"quota\": 0")),
              "manifest.json: production.quota: 0 boards: give at least 1");
}

TEST(Manifest, KnownFeaturesCarryTheVersionThatAddedThem) {
    ASSERT_NE(find_feature("fuse-srk"), nullptr);
    EXPECT_EQ(find_feature("fuse-srk")->added_in, "0.1.0");
    EXPECT_EQ(find_feature("bee"), nullptr);
}

}  // namespace
}  // namespace rtprov::pkg
