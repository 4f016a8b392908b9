using System.Collections.Generic;
using System.Linq;
using CnnDsl.Fuzz;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// A fixed-seed campaign of the project's fuzz harness (tests/CnnDsl.Fuzz runs the same one at any size): structured
/// models checked against sizes and counts recomputed in BigInteger, mutations of the zoo and the examples, hostile
/// names and numbers, and attribute-form models, all through the real generator and a compile of what it emits.
/// </summary>
public class FuzzCampaignTests
{
    [Fact]
    public void A_fixed_seed_campaign_breaks_no_invariant()
    {
        var campaign = new Campaign(20261127, FuzzRunner.FindRepoRoot());
        campaign.Run(cnnInputs: 1500, attributeInputs: 500);
        AssertClean(campaign);
    }

    static void AssertClean(Campaign campaign)
    {
        var examples = campaign.Violations.Values.Select(v => v[0]).Select(v => v + "\n--- input ---\n" + v.Input.Text);
        Assert.True(campaign.Violations.Count == 0, campaign.Summary() + "\n" + string.Join("\n\n", examples));
        // The campaign must reach every outcome, or it checks less than it claims.
        Assert.True(campaign.Outcomes.GetValueOrDefault("cnn emitted") > 400, campaign.Summary());
        Assert.True(campaign.Outcomes.GetValueOrDefault("cnn errors") > 400, campaign.Summary());
        Assert.True(campaign.Outcomes.GetValueOrDefault("attributes emitted") > 100, campaign.Summary());
        Assert.True(campaign.Outcomes.GetValueOrDefault("cnn rejected, as expected") > 10, campaign.Summary());
    }
}
