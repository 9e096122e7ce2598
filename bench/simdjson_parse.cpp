// bench/simdjson_parse.cpp: the baseline of bench/json_ratio.sh. Parses a
// file of JSON documents (JSON Lines, or documents one after another)
// with simdjson's DOM parser (parse_many: stage 1 over the whole batch,
// then stage 2 building each document's tape, strings unescaped), the
// fastest complete JSON parse there is, and prints the best of N runs in
// MB/s (10^6 bytes a second), as bench_scan prints veil's. simdjson finds
// every token and does nothing else; veil's JSON walk finds every token
// and judges each value for personal data. C++ because simdjson's API is.
//
//   simdjson_parse FILE [RUNS]
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: simdjson_parse FILE [RUNS]\n");
        return 2;
    }
    const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    simdjson::padded_string json;
    if (simdjson::padded_string::load(argv[1]).get(json) != simdjson::SUCCESS) {
        std::fprintf(stderr, "simdjson_parse: cannot read %s\n", argv[1]);
        return 1;
    }
    double best = 0;
    size_t docs = 0;
    simdjson::dom::parser parser;
    for (int r = 0; r < (runs > 0 ? runs : 1); r++) {
        const auto t0 = std::chrono::steady_clock::now();
        simdjson::dom::document_stream stream;
        docs = 0;
        if (parser.parse_many(json, 1 << 20).get(stream) != simdjson::SUCCESS) {
            std::fprintf(stderr, "simdjson_parse: %s: not JSON\n", argv[1]);
            return 1;
        }
        for (auto doc : stream) {
            if (doc.error() != simdjson::SUCCESS) {
                std::fprintf(stderr, "simdjson_parse: %s: document %zu: %s\n", argv[1], docs + 1,
                             simdjson::error_message(doc.error()));
                return 1;
            }
            docs++;
        }
        const double sec =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double mbps = sec > 0 ? (double)json.size() / 1e6 / sec : 0;
        if (mbps > best) {
            best = mbps;
        }
    }
    std::printf("RESULT simdjson_mbps=%.1f docs=%zu bytes=%zu implementation=%s\n", best, docs,
                json.size(), simdjson::get_active_implementation()->name().c_str());
    return 0;
}
