using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Certification.Api.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ScanReading : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CopyPageFingerprints",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CertifiedCopyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OfficeId = table.Column<int>(type: "INTEGER", nullable: false),
                    ProvinceId = table.Column<int>(type: "INTEGER", nullable: false),
                    Page = table.Column<int>(type: "INTEGER", nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CopyPageFingerprints", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CopyPageFingerprints_CertifiedCopies_CertifiedCopyId",
                        column: x => x.CertifiedCopyId,
                        principalTable: "CertifiedCopies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "ScanInspections",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OfficeId = table.Column<int>(type: "INTEGER", nullable: false),
                    InspectedById = table.Column<int>(type: "INTEGER", nullable: false),
                    InspectedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ScansSha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Report = table.Column<string>(type: "TEXT", nullable: false),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: true),
                    DocumentId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ScanInspections", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ScanInspections_Documents_DocumentId",
                        column: x => x.DocumentId,
                        principalTable: "Documents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_ScanInspections_Offices_OfficeId",
                        column: x => x.OfficeId,
                        principalTable: "Offices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_ScanInspections_Requests_RequestId",
                        column: x => x.RequestId,
                        principalTable: "Requests",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CopyPageFingerprints_CertifiedCopyId_Page",
                table: "CopyPageFingerprints",
                columns: new[] { "CertifiedCopyId", "Page" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CopyPageFingerprints_OfficeId",
                table: "CopyPageFingerprints",
                column: "OfficeId");

            migrationBuilder.CreateIndex(
                name: "IX_CopyPageFingerprints_ProvinceId",
                table: "CopyPageFingerprints",
                column: "ProvinceId");

            migrationBuilder.CreateIndex(
                name: "IX_ScanInspections_DocumentId",
                table: "ScanInspections",
                column: "DocumentId");

            migrationBuilder.CreateIndex(
                name: "IX_ScanInspections_OfficeId_ScansSha256",
                table: "ScanInspections",
                columns: new[] { "OfficeId", "ScansSha256" });

            migrationBuilder.CreateIndex(
                name: "IX_ScanInspections_RequestId",
                table: "ScanInspections",
                column: "RequestId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CopyPageFingerprints");

            migrationBuilder.DropTable(
                name: "ScanInspections");
        }
    }
}
