//! `clouds:`: the endpoints of the global cloud and of the cloud operated
//! by 21Vianet, and the admin portals their customers' pages link to, each
//! overridable.

use super::Cloud;
use super::*;
use serde::Deserialize;

/// Endpoints of one cloud; each can be overridden (that is how a proxy or
/// the test mock is used).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    pub login: BaseUrl,
    pub graph: BaseUrl,
    pub graph_scope: String,
    pub arm: BaseUrl,
    pub arm_scope: String,
    pub partner_center: BaseUrl,
    pub partner_center_scope: String,
    /// Service health in the Microsoft 365 admin center of this cloud.
    pub m365_service_health: String,
    /// Service issues in the Azure portal (Service Health) of this cloud.
    pub azure_service_health: String,
    /// The partner console's links for one customer: `{tenant_id}` is
    /// replaced. Partner Center documents no deep-link format, so these are
    /// the addresses its portal uses today, overridable per cloud.
    pub partner_center_customer: String,
    /// The customer's Microsoft 365 admin center, as delegated admin.
    pub m365_admin_for_tenant: String,
    /// Service Health of the Azure portal in the customer's directory.
    pub azure_portal_for_tenant: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EndpointOverrides {
    login: Option<BaseUrl>,
    graph: Option<BaseUrl>,
    graph_scope: Option<String>,
    arm: Option<BaseUrl>,
    arm_scope: Option<String>,
    partner_center: Option<BaseUrl>,
    partner_center_scope: Option<String>,
    m365_service_health: Option<String>,
    azure_service_health: Option<String>,
    partner_center_customer: Option<String>,
    m365_admin_for_tenant: Option<String>,
    azure_portal_for_tenant: Option<String>,
}

impl Endpoints {
    pub fn defaults(cloud: Cloud) -> Endpoints {
        let u = |s: &str| BaseUrl(s.to_owned());
        match cloud {
            Cloud::Global => Endpoints {
                login: u("https://login.microsoftonline.com"),
                graph: u("https://graph.microsoft.com"),
                graph_scope: "https://graph.microsoft.com/.default".into(),
                arm: u("https://management.azure.com"),
                arm_scope: "https://management.azure.com/.default".into(),
                partner_center: u("https://api.partnercenter.microsoft.com"),
                partner_center_scope: "https://api.partnercenter.microsoft.com/.default".into(),
                m365_service_health: "https://admin.microsoft.com/Adminportal/Home#/servicehealth"
                    .into(),
                azure_service_health: "https://portal.azure.com/#view/Microsoft_Azure_Health/AzureHealthBrowseBlade/~/serviceIssues".into(),
                partner_center_customer:
                    "https://partner.microsoft.com/dashboard/v2/customers/{tenant_id}/servicemanagement"
                        .into(),
                m365_admin_for_tenant: "https://admin.microsoft.com/Partner/BeginClientSession.aspx?CTID={tenant_id}&CSDEST=o365admincenter".into(),
                azure_portal_for_tenant: "https://portal.azure.com/#@{tenant_id}/blade/Microsoft_Azure_Health/AzureHealthBrowseBlade/serviceIssues".into(),
            },
            Cloud::China => Endpoints {
                login: u("https://login.chinacloudapi.cn"),
                graph: u("https://microsoftgraph.chinacloudapi.cn"),
                graph_scope: "https://microsoftgraph.chinacloudapi.cn/.default".into(),
                arm: u("https://management.chinacloudapi.cn"),
                arm_scope: "https://management.chinacloudapi.cn/.default".into(),
                partner_center: u("https://partner.partnercenterapi.microsoftonline.cn"),
                partner_center_scope:
                    "https://partner.partnercenterapi.microsoftonline.cn/.default".into(),
                m365_service_health:
                    "https://portal.partner.microsoftonline.cn/Adminportal/Home#/servicehealth"
                        .into(),
                azure_service_health: "https://portal.azure.cn/#view/Microsoft_Azure_Health/AzureHealthBrowseBlade/~/serviceIssues".into(),
                partner_center_customer:
                    "https://partner.microsoftonline.cn/dashboard/v2/customers/{tenant_id}/servicemanagement"
                        .into(),
                m365_admin_for_tenant: "https://portal.partner.microsoftonline.cn/Partner/BeginClientSession.aspx?CTID={tenant_id}&CSDEST=o365admincenter".into(),
                azure_portal_for_tenant: "https://portal.azure.cn/#@{tenant_id}/blade/Microsoft_Azure_Health/AzureHealthBrowseBlade/serviceIssues".into(),
            },
        }
    }
    fn with(mut self, o: EndpointOverrides) -> Endpoints {
        let EndpointOverrides {
            login,
            graph,
            graph_scope,
            arm,
            arm_scope,
            partner_center,
            partner_center_scope,
            m365_service_health,
            azure_service_health,
            partner_center_customer,
            m365_admin_for_tenant,
            azure_portal_for_tenant,
        } = o;
        self.login = login.unwrap_or(self.login);
        self.graph = graph.unwrap_or(self.graph);
        self.graph_scope = graph_scope.unwrap_or(self.graph_scope);
        self.arm = arm.unwrap_or(self.arm);
        self.arm_scope = arm_scope.unwrap_or(self.arm_scope);
        self.partner_center = partner_center.unwrap_or(self.partner_center);
        self.partner_center_scope = partner_center_scope.unwrap_or(self.partner_center_scope);
        self.m365_service_health = m365_service_health.unwrap_or(self.m365_service_health);
        self.azure_service_health = azure_service_health.unwrap_or(self.azure_service_health);
        self.partner_center_customer =
            partner_center_customer.unwrap_or(self.partner_center_customer);
        self.m365_admin_for_tenant = m365_admin_for_tenant.unwrap_or(self.m365_admin_for_tenant);
        self.azure_portal_for_tenant =
            azure_portal_for_tenant.unwrap_or(self.azure_portal_for_tenant);
        self
    }
}

/// `clouds:` in the config: overrides of the built-in endpoints.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudsConfig {
    #[serde(default)]
    global: EndpointOverrides,
    #[serde(default)]
    china: EndpointOverrides,
}

impl CloudsConfig {
    pub fn endpoints(&self, cloud: Cloud) -> Endpoints {
        let o = match cloud {
            Cloud::Global => &self.global,
            Cloud::China => &self.china,
        };
        Endpoints::defaults(cloud).with(o.clone())
    }
}
