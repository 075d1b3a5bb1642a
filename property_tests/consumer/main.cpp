// Uses an installed nrc: a closed form from nrc::lib and a registered check from nrc::theorems.
#include <cstdio>

#include "lib/closed_form/deep_linear.hpp"
#include "theorems/registry.hpp"
#include "theorems/runner.hpp"

int main() {
  // a*(3, 10) = 2·10^{3/4} = 11.2468…
  const double t = nrc::deep_linear_threshold(10.0, 3);
  const nrc::Record r = nrc::evaluate_params(
      nrc::find_check("deep_linear_rank_depth"),
      {{"depth", 2}, {"lambda", 1.0}, {"singular_values", {3.0, 1.5, 0.5}}, {"data_seed", 1}});
  std::printf("threshold %.4f, %zu checks, deep_linear_rank_depth: %s\n", t, nrc::registry().size(),
              std::string(nrc::name(r.verdict)).c_str());
  return t > 11.24 && t < 11.25 && r.verdict == nrc::Verdict::Pass ? 0 : 1;
}
