from rest_framework.routers import SimpleRouter

from vendors.api import views

router = SimpleRouter()
router.register("vendors", views.VendorViewSet, basename="vendor")
router.register("services", views.ServiceViewSet, basename="service")
router.register("contracts", views.ContractViewSet, basename="contract")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("guiding-principles", views.GuidingPrincipleViewSet,
                basename="guiding-principle")
router.register("staff", views.StaffMemberViewSet, basename="staff")
router.register("staffing-changes", views.StaffingChangeViewSet, basename="staffing-change")

urlpatterns = router.urls
