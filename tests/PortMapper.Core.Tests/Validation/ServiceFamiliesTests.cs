using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;
using static PortMapper.Core.Tests.Validation.ValidationTestSupport;

namespace PortMapper.Core.Tests.Validation;

/// <summary>
/// The API server's address-family decisions (initIPFamilyFields in pkg/registry/core/service/storage/alloc.go and the
/// clusterIP update rules of ValidateServiceUpdate), with its messages, on create and on update.
/// </summary>
public class ServiceFamiliesTests
{
    private static readonly ClusterServiceFamilies Dual = ClusterServiceFamilies.DualStackIpv4First;
    private static readonly ClusterServiceFamilies V4Only = new([IpFamily.V4], true);
    private static readonly ClusterServiceFamilies V4Inferred = new([IpFamily.V4], false);

    private static Service Svc(string spec) => Assert.IsType<Service>(new ModelReader([]).Read(Service(spec)));

    private static FamilyAllocation Resolve(string spec, ClusterServiceFamilies cluster, string? old = null) =>
        ServiceFamilies.Resolve(Svc(spec), old is null ? null : Svc(old), cluster)!;

    private const string DualStackOld = "{selector: {app: web}, ports: [{port: 80}], clusterIP: 10.96.0.12, clusterIPs: [10.96.0.12, 'fd00:10:96::1c'], ipFamilies: [IPv4, IPv6], ipFamilyPolicy: RequireDualStack}";
    private const string SingleStackOld = "{selector: {app: web}, ports: [{port: 80}], clusterIP: 10.96.0.12, clusterIPs: [10.96.0.12], ipFamilies: [IPv4], ipFamilyPolicy: SingleStack}";

    [Fact]
    public void Create_NoFamilyFields_OneClusterIpOfTheClustersPrimaryFamily()
    {
        var result = Resolve("{selector: {app: web}, ports: [{port: 80}]}", new([IpFamily.V6, IpFamily.V4], true));

        Assert.Equal(IpFamilyPolicies.SingleStack, result.Policy);
        Assert.Equal([IpFamily.V6], result.Families.ToArray());
        Assert.Equal([IpFamily.V6], result.ToAllocate);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Create_PreferDualStack_BothFamiliesOnADualStackCluster_OneOnASingleStackOne()
    {
        Assert.Equal([IpFamily.V4, IpFamily.V6], Resolve("{selector: {app: web}, ports: [{port: 80}], ipFamilyPolicy: PreferDualStack}", Dual).ToAllocate);
        var single = Resolve("{selector: {app: web}, ports: [{port: 80}], ipFamilyPolicy: PreferDualStack}", V4Only);
        Assert.Equal([IpFamily.V4], single.ToAllocate);
        Assert.Empty(single.Findings);
    }

    [Fact]
    public void Create_RequireDualStackOnASingleStackCluster_IsRefused()
    {
        var finding = Assert.Single(Resolve("{selector: {app: web}, ports: [{port: 80}], ipFamilyPolicy: RequireDualStack}", V4Only).Findings);

        Assert.Equal(ValidationSeverity.Error, finding.Severity);
        Assert.Equal("spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services", finding.Message);
    }

    [Fact]
    public void Create_RequireDualStackWhereTheRangesAreOnlyInferred_WarnsAndSaysWhy()
    {
        var finding = Assert.Single(Resolve("{selector: {app: web}, ports: [{port: 80}], ipFamilyPolicy: RequireDualStack}", V4Inferred).Findings);

        Assert.Equal(ValidationSeverity.Warning, finding.Severity);
        Assert.StartsWith("spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services (if this cluster is IPv4 single-stack", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_Ipv6OnAnIpv4Cluster_NotConfigured()
    {
        var finding = Assert.Single(Resolve("{selector: {app: web}, ports: [{port: 80}], ipFamilies: [IPv6]}", V4Only).Findings);

        Assert.Equal("spec.ipFamilies[0]: Invalid value: \"IPv6\": not configured on this cluster", finding.Message);
    }

    [Fact]
    public void Create_SingleStackWithTwoFamilies_NeedsADualStackPolicy()
    {
        var finding = Assert.Single(Resolve("{selector: {app: web}, ports: [{port: 80}], ipFamilies: [IPv4, IPv6], ipFamilyPolicy: SingleStack}", Dual).Findings);

        Assert.Equal("spec.ipFamilyPolicy: Invalid value: \"SingleStack\": must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified", finding.Message);
    }

    [Fact]
    public void Create_HeadlessWithoutSelector_ServesBothFamiliesEvenOnASingleStackCluster()
    {
        var result = Resolve("{clusterIP: None, ports: [{port: 80}]}", V4Only);

        Assert.Equal(IpFamilyPolicies.RequireDualStack, result.Policy);
        Assert.Equal([IpFamily.V4, IpFamily.V6], result.Families.ToArray());
        Assert.Empty(result.ToAllocate);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Update_ToSingleStack_ReleasesTheSecondaryClusterIp()
    {
        var result = Resolve("{selector: {app: web}, ports: [{port: 80}], ipFamilyPolicy: SingleStack}", Dual, DualStackOld);

        Assert.Equal(["10.96.0.12"], result.ClusterIps.ToArray());
        Assert.Equal([IpFamily.V4], result.Families.ToArray());
        Assert.Equal(["fd00:10:96::1c"], result.Released.ToArray());
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Update_WithoutAPolicy_KeepsTheOldOne()
    {
        var result = Resolve("{selector: {app: web}, ports: [{port: 8080}]}", Dual, DualStackOld);

        Assert.Equal((IpFamilyPolicies.RequireDualStack, 2), (result.Policy, result.ClusterIps.Length));
        Assert.Empty(result.Released);
    }

    [Fact]
    public void Update_ToPreferDualStack_KeepsTheClusterIpAndAllocatesOneOfTheOtherFamily()
    {
        var result = Resolve("{selector: {app: web}, ports: [{port: 80}], ipFamilyPolicy: PreferDualStack}", Dual, SingleStackOld);

        Assert.Equal(["10.96.0.12"], result.ClusterIps.ToArray());
        Assert.Equal([IpFamily.V6], result.ToAllocate);
    }

    [Fact]
    public void Update_PreferDualStackUnchanged_IsNotUpgradedWhenTheClusterGainedARange()
    {
        var old = "{selector: {app: web}, ports: [{port: 80}], clusterIP: 10.96.0.12, clusterIPs: [10.96.0.12], ipFamilies: [IPv4], ipFamilyPolicy: PreferDualStack}";

        var result = Resolve("{selector: {app: web}, ports: [{port: 80}], ipFamilyPolicy: PreferDualStack}", Dual, old);

        Assert.Empty(result.ToAllocate);
        Assert.Equal([IpFamily.V4], result.Families.ToArray());
    }

    [Fact]
    public void Update_ChangingThePrimaryFamily_TheKeptClusterIpDoesNotMatchIt()
    {
        var finding = Assert.Single(Resolve("{selector: {app: web}, ports: [{port: 80}], ipFamilies: [IPv6]}", Dual, SingleStackOld).Findings);

        Assert.Equal("spec.clusterIPs[0]: Invalid value: \"10.96.0.12\": expected an IPv6 value as indicated by `ipFamilies[0]`", finding.Message);
    }

    [Fact]
    public void Update_ReleasingTheSecondaryClusterIpWithoutSingleStack_IsRefused()
    {
        var finding = Assert.Single(Resolve("{selector: {app: web}, ports: [{port: 80}], clusterIP: 10.96.0.12, clusterIPs: [10.96.0.12], ipFamilyPolicy: RequireDualStack}", Dual, DualStackOld).Findings);

        Assert.Equal("spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": must be 'SingleStack' to release the secondary cluster IP", finding.Message);
    }

    [Fact]
    public void Update_AnotherClusterIp_MayNotChange()
    {
        var finding = Assert.Single(Resolve("{selector: {app: web}, ports: [{port: 80}], clusterIP: 10.96.0.99}", Dual, SingleStackOld).Findings);

        Assert.Equal("spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.99\"}: may not change once set", finding.Message);
    }

    [Fact]
    public void Infer_TheDefaultServiceCidr_GivesTheRangesExactly_EvenWhereEveryServiceIsSingleStack()
    {
        var single = Seed("01-port-targetport-nodeport.yaml");
        var dual = single.Upsert(new ServiceCidr(new ObjectMeta { Name = "kubernetes" }) { Cidrs = ["fd00:10:96::/112", "10.96.0.0/16"] });
        var other = single.Upsert(new ServiceCidr(new ObjectMeta { Name = "extra" }) { Cidrs = ["fd00:20::/112"] });

        Assert.Equal([IpFamily.V6, IpFamily.V4], ClusterServiceFamilies.Infer(dual).Families.ToArray());
        Assert.True(ClusterServiceFamilies.Infer(dual).Known);
        Assert.False(ClusterServiceFamilies.Infer(other).Known);
    }

    [Fact]
    public void Infer_OnlyIpv4Services_Ipv4NotKnown_ADualStackServiceProvesBothRanges()
    {
        var single = Seed("01-port-targetport-nodeport.yaml");
        var dual = single.Upsert(Svc(DualStackOld) with { Metadata = new ObjectMeta { Name = "kubernetes", Namespace = "default" } });

        Assert.Equal([IpFamily.V4], ClusterServiceFamilies.Infer(single).Families.ToArray());
        Assert.False(ClusterServiceFamilies.Infer(single).Known);
        Assert.Equal([IpFamily.V4, IpFamily.V6], ClusterServiceFamilies.Infer(dual).Families.ToArray());
        Assert.True(ClusterServiceFamilies.Infer(dual).Known);
    }
}
