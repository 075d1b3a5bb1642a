#include "theorems/registry.hpp"

#include "lib/common/error.hpp"

namespace nrc {

Check make_prop_3_1_check();
Check make_eq_4_paper_check();
Check make_eq_4_stationarity_check();
Check make_degenerate_rank_check();
Check make_lemma_3_3_check();
Check make_lemma_3_3_refined_check();
Check make_thm_3_4_check();
Check make_prop_4_1_mean_check();
Check make_prop_4_1_check();
Check make_prop_4_1_autoencoder_check();
Check make_prop_4_1_corrected_check();
Check make_thm_5_1_minimum_check();
Check make_thm_5_1_critical_check();
Check make_thm_5_1_saddle_check();
Check make_thm_5_1_value_paper_check();
Check make_thm_5_1_value_check();
Check make_thm_5_1_only_if_check();
Check make_thm_5_3_check();
Check make_thm_5_3_refined_check();
Check make_thm_5_4_check();
Check make_thm_5_4_refined_check();
Check make_thm_5_4_excess_loss_check();
Check make_ridge_norm_check();
Check make_deep_linear_balanced_check();
Check make_deep_linear_minimum_check();
Check make_deep_linear_rank_depth_check();

const std::vector<Check>& registry() {
  static const std::vector<Check> checks = {
      make_prop_3_1_check(),
      make_eq_4_paper_check(),
      make_eq_4_stationarity_check(),
      make_degenerate_rank_check(),
      make_lemma_3_3_check(),
      make_lemma_3_3_refined_check(),
      make_thm_3_4_check(),
      make_prop_4_1_mean_check(),
      make_prop_4_1_check(),
      make_prop_4_1_autoencoder_check(),
      make_prop_4_1_corrected_check(),
      make_thm_5_1_minimum_check(),
      make_thm_5_1_critical_check(),
      make_thm_5_1_saddle_check(),
      make_thm_5_1_value_paper_check(),
      make_thm_5_1_value_check(),
      make_thm_5_1_only_if_check(),
      make_thm_5_3_check(),
      make_thm_5_3_refined_check(),
      make_thm_5_4_check(),
      make_thm_5_4_refined_check(),
      make_thm_5_4_excess_loss_check(),
      make_ridge_norm_check(),
      make_deep_linear_balanced_check(),
      make_deep_linear_minimum_check(),
      make_deep_linear_rank_depth_check(),
  };
  return checks;
}

const Check& find_check(const std::string& id) {
  std::string known;
  for (const Check& c : registry()) {
    if (c.id == id) return c;
    known += (known.empty() ? "" : ", ") + c.id;
  }
  invalid_arg("find_check", fmt::format("unknown check id '{}' (known: {})", id, known));
}

}  // namespace nrc
